"""The catalog: coaching programs coaches sell, how customers browse and compare them, their
reviews, and the programs recommended to a customer from their goals and risks."""
