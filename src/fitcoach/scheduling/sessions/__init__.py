"""Sessions: creating them with conflict checks, booking places, listing calendars, changing
them (reschedule, cancel, complete, attendance)."""
