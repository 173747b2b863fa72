"""The finance report as a file: requested, built by a background job (CSV or XLSX), kept in
the "exports" storage area behind signed, expiring links, and deleted when it expires."""
