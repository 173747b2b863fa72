"""Optional second factor (TOTP) for every way of logging in, with one-time recovery codes."""
