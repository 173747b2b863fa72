"""Coaches' working hours and time off, and the free one-to-one slots cut from them."""
