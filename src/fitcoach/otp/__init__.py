"""One-time codes by SMS: issuing, delivering, verifying and spending them."""
