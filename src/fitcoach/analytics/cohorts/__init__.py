"""The cohort table (cohort, size, a value per period since start), computed in SQL, and the
signed drilldown tokens of its cells."""
