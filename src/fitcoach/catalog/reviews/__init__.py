"""Reviews of published products, and the rating totals they keep."""
