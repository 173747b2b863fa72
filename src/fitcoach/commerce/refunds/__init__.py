"""Refunds: an admin gives back part or all of what an order paid, through its provider, with
a credit note on its invoice."""
