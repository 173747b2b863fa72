"""The finance report (admins): revenue by product, coach or month, refunds, outstanding
invoices by age, MRR and churned revenue, read from commerce's ledgers."""
