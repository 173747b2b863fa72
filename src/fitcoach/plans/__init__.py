"""Training and diet plans: templates, customers' custom plans, and the plan a user sees for
their subscription."""
