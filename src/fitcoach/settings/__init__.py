"""Business settings that admins configure (free trial length, default plans)."""
