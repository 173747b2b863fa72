"""Email delivery behind one interface, like SMS: console, outbox (tests) and SMTP."""
