"""Customers: their profile as staff and they themselves see it, and the coaches assigned to
them."""
