"""Partners' API keys (admins): issue one shown once, list, rotate with an overlap, revoke."""
