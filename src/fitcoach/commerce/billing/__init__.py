"""A paid subscription's life after its purchase: changes (upgrade, downgrade, pause, resume,
cancel) with proration, and renewals with dunning."""
