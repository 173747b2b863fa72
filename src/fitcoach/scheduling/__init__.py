"""Scheduling: coaching sessions on coaches' calendars (sessions/), who is booked into them, and
the entitlement ledger that pays for bookings (entitlements/)."""
