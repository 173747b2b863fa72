"""Prometheus metrics. With several workers, `fitcoach serve` points PROMETHEUS_MULTIPROC_DIR at
a folder that every worker writes to, and /metrics sums them (prometheus-client's multiprocess
mode); with one process the default registry serves directly."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "fitcoach_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "fitcoach_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMIT_REJECTIONS = Counter(
    "fitcoach_rate_limit_rejections_total", "Requests refused by a rate limit", ["scope"]
)
OTP_SENT = Counter(
    "fitcoach_otp_sent_total", "OTP messages handed to the SMS provider", ["purpose"]
)
OTP_SEND_FAILURES = Counter(
    "fitcoach_otp_send_failures_total", "OTP messages the SMS provider did not take", ["purpose"]
)
SMS_PROVIDER_ERRORS = Counter(
    "fitcoach_sms_provider_errors_total", "SMS provider errors", ["provider", "kind"]
)
DB_POOL_CHECKED_OUT = Gauge(
    "fitcoach_db_pool_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "fitcoach_db_pool_size", "Configured database pool size", multiprocess_mode="livemax"
)
# outcome: sent, skipped, failed, or retry (pending again after a transient error).
NOTIFICATION_DELIVERIES = Counter(
    "fitcoach_notification_deliveries_total",
    "Notification delivery attempts",
    ["channel", "outcome"],
)
STREAMS_OPEN = Gauge(
    "fitcoach_streams_open", "Live-channel streams open", multiprocess_mode="livesum"
)


def render_metrics() -> tuple[bytes, str]:
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(DEFAULT_REGISTRY), CONTENT_TYPE_LATEST


# Background work (worker/): what waits, how long the relay lags, how handlers fare.
JOBS_BY_STATE = Gauge(
    "fitcoach_jobs", "Jobs waiting, running or dead, by state", ["state"], multiprocess_mode="max"
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "fitcoach_outbox_oldest_unrelayed_seconds",
    "Age of the oldest event not yet relayed into jobs",
    multiprocess_mode="max",
)
JOB_DURATION = Histogram(
    "fitcoach_job_duration_seconds",
    "Time to run a job or an event handler, by job (event handlers as event:<handler>)",
    ["job", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOB_FAILURES = Counter(
    "fitcoach_job_failures_total",
    "Job attempts that raised, by job and what follows (retry or dead)",
    ["job", "then"],
)
