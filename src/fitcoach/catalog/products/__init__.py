"""Products: the coaching programs coaches sell, their status, and the published catalog."""
