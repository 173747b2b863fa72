"""Authentication: OTP and password sign-in, tokens and sessions, who the caller is."""
