"""Background work beneath the domains: domain events recorded in the changing transaction
(events), the handlers that subscribe to them (registry), jobs and recurring jobs (jobs), the
database side of it all (store), and the engine that runs it in-process or on RabbitMQ (engine).
It imports no domain: the app wiring imports each domain's handlers."""
