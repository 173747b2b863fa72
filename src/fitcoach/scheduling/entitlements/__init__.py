"""The entitlement ledger: grants, uses, returns, expiries and adjustments of a customer's
sessions; the balance is always the sum of its lines."""
