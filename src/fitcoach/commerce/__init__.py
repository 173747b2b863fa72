"""Commerce: orders and their invoices, payments through a provider, saved payment methods;
a paid order buys (or extends) the product's paid subscription and records OrderPaid."""
