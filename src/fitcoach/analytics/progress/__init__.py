"""A customer's metrics over a range: the series, its robust trend and its forecast."""
