"""Promo codes: admins define them; an order applies one as a discount line, and its payment
redeems it, at most as often as its limits allow."""
