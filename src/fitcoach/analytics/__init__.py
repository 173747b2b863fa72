"""Analytics and reporting: a customer's progress with its trend and forecast (progress/), the
cohort table and its drilldown (cohorts/), the finance report (finance/) and its files
(exports/)."""
