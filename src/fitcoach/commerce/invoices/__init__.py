"""Invoices: gap-free numbers, lines, tax and totals in integer minor units."""
