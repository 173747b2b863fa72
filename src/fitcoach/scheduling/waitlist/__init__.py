"""Waitlists of full sessions: a customer's place in line, its estimate, leaving and claiming."""
