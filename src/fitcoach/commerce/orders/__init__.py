"""Orders: a pending order with its invoice and payment intent; confirming it captures the
payment and buys the subscription."""
