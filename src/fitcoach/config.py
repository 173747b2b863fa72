"""Core settings, read from the environment (FITCOACH_ prefix) and `.env`, validated at start-up."""

from __future__ import annotations

import ipaddress
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fitcoach.core.phone import parse_test_otps

# Secrets that ship in examples and templates; production refuses them like a missing one.
_PLACEHOLDER_SECRETS = {"changethis", "change-me", "secret", "jwt-secret", "development"}
_MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class StorageBackend(StrEnum):
    local = "local"
    s3 = "s3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FITCOACH_", env_file=".env", extra="ignore", frozen=False
    )

    env: Environment = Environment.development
    app_name: str = "fitcoach"
    data_dir: Path = Path("./data")
    database_url: str = "sqlite+aiosqlite:///./fitcoach.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # A statement unanswered this long fails (503) instead of holding its request until TCP gives
    # up, which a network partition would make minutes. None: no limit (migrations).
    database_command_timeout_seconds: float | None = Field(default=30.0, gt=0)
    # Replays of a request whose transaction hit a deadlock or serialization failure.
    database_conflict_retries: int = Field(default=2, ge=0, le=10)
    # How long a worker may serve an account, a plan or the settings from memory between
    # changes (PostgreSQL only: the change feed announces every change,
    # db/cache/change_feed.py). The feed keeps caches exact; this bounds their age should an
    # announcement ever be missed.
    # 0: no cache, every request reads the database.
    read_cache_seconds: int = Field(default=300, ge=0, le=3_600)
    redis_url: str | None = None

    jwt_secret: SecretStr | None = None
    access_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)

    otp_ttl_seconds: int = Field(default=300, ge=30, le=3_600)
    otp_resend_seconds: int = Field(default=60, ge=0, le=3_600)
    otp_max_attempts: int = Field(default=5, ge=1, le=20)
    otp_max_sends_per_day: int = Field(default=10, ge=1, le=1_000)
    default_phone_region: str | None = None
    test_otps: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    sms_provider: Literal["console", "twilio", "outbox"] = "console"
    # Production refuses the console provider (codes in the log, no SMS) unless this says so.
    allow_console_sms_in_production: bool = False
    sms_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_base_url: str = "https://api.twilio.com"

    # Commerce: who takes the money (the sandbox works offline, with test payment methods) and
    # the tax on every invoice, in basis points (2000 = 20 %), included in prices or added.
    payment_provider: Literal["sandbox", "stripe"] = "sandbox"
    stripe_secret_key: SecretStr | None = None
    # Stripe's signing secret of our webhook endpoint (whsec_...).
    stripe_webhook_secret: SecretStr | None = None
    # Where the Stripe library sends its calls: Stripe itself, or a stand-in in tests.
    stripe_api_base: str = "https://api.stripe.com"
    stripe_timeout_seconds: float = Field(default=20.0, gt=0, le=80)
    # The sandbox signs the events it simulates (disputes, dashboard refunds) in Stripe's
    # scheme with this secret. It takes no money, so a known default is harmless.
    sandbox_webhook_secret: SecretStr = SecretStr("whsec_sandbox_local")
    # A webhook signed longer ago than this is refused as stale (Stripe's own default).
    payment_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    tax_rate_basis_points: int = Field(default=0, ge=0, le=10_000)
    tax_inclusive: bool = True

    rate_limit_enabled: bool = True
    rate_limit_key_prefix: str = "fitcoach"
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    # The catalog's filtered listing counts matches up to this many ("1,000+ programs"): an
    # exact count reads every match, which at a million products cost more than the page.
    catalog_count_limit: int = Field(default=1_000, ge=1, le=1_000_000)

    # /metrics, and /docs, /redoc and /openapi.json: None means on, except in production,
    # where what the API offers and how busy it is are nobody's business by default.
    metrics_enabled: bool | None = None
    metrics_token: SecretStr | None = None
    docs_enabled: bool | None = None
    # With a password, the docs (and the OpenAPI document) ask for HTTP Basic credentials.
    docs_username: str = Field(default="docs", min_length=1, pattern=r"^[^:]+$")
    docs_password: SecretStr | None = Field(default=None, min_length=1)
    # Strict-Transport-Security on answers served over TLS (directly, or per X-Forwarded-Proto
    # from a trusted proxy); 0 sends none.
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)

    # Accounts: email delivery, social sign-in, password lockout and two-factor login.
    email_provider: Literal["console", "smtp", "outbox"] = "console"
    email_from: str = "fitcoach <no-reply@localhost>"
    email_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_security: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    email_code_ttl_seconds: int = Field(default=1_800, ge=60, le=86_400)
    social_auto_register: bool = True
    google_client_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    apple_client_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    facebook_client_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    google_issuers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["https://accounts.google.com", "accounts.google.com"]
    )
    apple_issuers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["https://appleid.apple.com"]
    )
    facebook_issuers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["https://www.facebook.com"]
    )
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    apple_jwks_url: str = "https://appleid.apple.com/auth/keys"
    facebook_jwks_url: str = "https://limited.facebook.com/.well-known/oauth/openid/jwks/"
    jwks_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    jwks_cache_seconds: int = Field(default=3_600, ge=0, le=86_400)
    jwks_min_refetch_seconds: int = Field(default=30, ge=0, le=3_600)
    login_max_failures: int = Field(default=10, ge=1, le=1_000)
    login_lock_minutes: int = Field(default=15, ge=1, le=1_440)
    login_lock_max_minutes: int = Field(default=1_440, ge=1, le=43_200)
    login_slow_seconds: int = Field(default=60, ge=1, le=3_600)
    mfa_token_ttl_seconds: int = Field(default=300, ge=30, le=3_600)
    mfa_max_attempts: int = Field(default=5, ge=1, le=20)

    # Notifications: push services, and how long a delivery keeps being retried.
    push_provider: Literal["console", "outbox", "live"] = "console"
    push_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Web Push (VAPID): the application server's private key (PEM or base64url raw) and the
    # contact the push services see (mailto: or https:).
    webpush_vapid_private_key: SecretStr | None = None
    webpush_vapid_subject: str = "mailto:admin@localhost"
    # FCM HTTP v1: the project, a service account's e-mail and private key (PEM), and the
    # endpoints (overridable for a local stand-in).
    fcm_project_id: str | None = None
    fcm_client_email: str | None = None
    fcm_private_key: SecretStr | None = None
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_token_url: str = "https://oauth2.googleapis.com/token"
    notification_max_attempts: int = Field(default=5, ge=1, le=50)
    # The live channel (GET /stream): a heartbeat this often, when the caller's account is also
    # re-checked (a blocked user's stream closes), and the Redis channel every worker shares.
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # Each stream ends after this long and the client reconnects (EventSource does so on its
    # own, with Last-Event-ID): connections spread again over the workers after a deploy, and
    # no stream outlives its caller's access by more than this.
    stream_max_seconds: float = Field(default=300.0, gt=0, le=86_400)
    stream_redis_channel: str = "fitcoach:stream"
    # Messaging: how long after sending its sender may still edit or delete a message.
    message_edit_window_seconds: int = Field(default=900, ge=0, le=604_800)
    # A message still unread this long after it was sent goes into its recipient's e-mail
    # digest (one per recipient per run, never twice for the same message).
    message_digest_after_minutes: int = Field(default=60, ge=1, le=10_080)
    # Attachments: the largest upload, where files live (local: under data_dir), the ClamAV
    # daemon that scans them (none: files are served marked "unscanned", which production
    # refuses unless allowed), and how long a download link works.
    attachment_max_bytes: int = Field(default=10_485_760, ge=1_024, le=1_073_741_824)
    clamd_host: str | None = None
    clamd_port: int = Field(default=3310, ge=1, le=65_535)
    clamd_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    allow_unscanned_attachments_in_production: bool = False
    attachment_link_seconds: int = Field(default=300, ge=10, le=86_400)
    # Where files are kept: folders under data_dir, or an S3-compatible bucket (each area a key
    # prefix under storage_s3_prefix). Without keys, botocore's own chain finds credentials
    # (environment, instance role); an endpoint URL reaches MinIO, Ceph or a local stand-in.
    storage_backend: StorageBackend = StorageBackend.local
    storage_s3_bucket: str | None = None
    storage_s3_prefix: str = ""
    storage_s3_endpoint_url: str | None = None
    storage_s3_region: str = "us-east-1"
    storage_s3_access_key_id: SecretStr | None = None
    storage_s3_secret_access_key: SecretStr | None = None
    storage_s3_addressing_style: Literal["auto", "virtual", "path"] = "auto"
    storage_s3_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # Wearables: each provider's secret signs its webhooks (Fitbit, Oura and Whoop: the OAuth
    # client secret; the Standard Webhooks partner: a `whsec_` secret), and its API is where the
    # workers fetch what a notification names (overridable for a local stand-in).
    fitbit_client_secret: SecretStr | None = None
    oura_client_secret: SecretStr | None = None
    whoop_client_secret: SecretStr | None = None
    wearable_partner_secret: SecretStr | None = None
    fitbit_api_url: str = "https://api.fitbit.com"
    oura_api_url: str = "https://api.ouraring.com"
    whoop_api_url: str = "https://api.prod.whoop.com"
    # OAuth 2 connections: each provider's client id and authorization page; the token
    # endpoint is at the provider's API URL. The app's page the provider sends the customer
    # back to, with `code` and `state`.
    fitbit_client_id: str | None = None
    oura_client_id: str | None = None
    whoop_client_id: str | None = None
    fitbit_authorize_url: str = "https://www.fitbit.com/oauth2/authorize"
    oura_authorize_url: str = "https://cloud.ouraring.com/oauth/authorize"
    whoop_authorize_url: str = "https://api.prod.whoop.com/oauth/oauth2/auth"
    wearable_redirect_url: str = "http://localhost:8000/wearables/connected"
    wearable_api_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # How far a signed delivery's timestamp may be from now before it counts as a replay.
    wearable_webhook_tolerance_seconds: int = Field(default=300, ge=10, le=3_600)
    # Outgoing webhooks: how long a partner's endpoint may take to answer, how many attempts a
    # delivery gets before it is marked failed, and the backoff between them (exponential from
    # the base, capped, with jitter).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0, le=3_600)
    webhook_retry_max_seconds: float = Field(default=6 * 3_600.0, ge=0, le=86_400)

    @field_validator(
        "google_client_ids",
        "apple_client_ids",
        "facebook_client_ids",
        "google_issuers",
        "apple_issuers",
        "facebook_issuers",
        "trusted_proxies",
        "worker_imports",
        mode="before",
    )
    @classmethod
    def _split_comma_lists(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    # Background work (worker/). Without a broker, `fitcoach serve` runs the workers and the
    # scheduler in its own process (the embedded shape); with one, `fitcoach worker` does.
    broker_url: str | None = None
    broker_queue: str = "fitcoach.jobs"
    worker_embedded: bool = True
    worker_concurrency: int = Field(default=8, ge=1, le=256)
    worker_poll_seconds: float = Field(default=0.25, gt=0, le=60)
    worker_batch_size: int = Field(default=200, ge=1, le=5_000)
    worker_stop_seconds: float = Field(default=20.0, ge=0, le=600)
    # How long a job's worker owns it without renewing (it renews every third of this); a
    # job whose worker died runs again after at most this long.
    job_lease_seconds: float = Field(default=60.0, ge=0.5, le=3_600)
    job_retry_base_seconds: float = Field(default=2.0, ge=0, le=3_600)
    job_retry_max_seconds: float = Field(default=3_600.0, ge=0, le=86_400)
    scheduler_enabled: bool = True
    # Modules imported at start-up for the handlers and jobs they register, beyond the
    # domains' own (which the app wiring imports): plugins, or a test's sample handlers.
    worker_imports: Annotated[list[str], NoDecode] = Field(default_factory=list)
    scheduler_tick_seconds: float = Field(default=1.0, gt=0, le=60)

    # Scheduling: the free time a coach keeps between two sessions (applied to a session's
    # time when it is set), the local video-link provider's base, how long before the start a
    # participant sees the join link, and the late-cancel window that spends the entitlement.
    session_buffer_minutes: int = Field(default=15, ge=0, le=240)
    video_link_base_url: str = "https://meet.jit.si"
    join_link_visible_minutes: int = Field(default=60, ge=0, le=10_080)
    late_cancel_hours: int = Field(default=24, ge=0, le=336)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool | None = None
    access_log: bool = True

    @field_validator("test_otps", mode="before")
    @classmethod
    def _parse_test_otps(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_test_otps(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"FITCOACH_TRUSTED_PROXIES: {entry!r} is not an IP or CIDR"
                ) from exc
        return value

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    @model_validator(mode="after")
    def _stripe_needs_its_secrets(self) -> Settings:
        if self.payment_provider == "stripe" and (
            self.stripe_secret_key is None or self.stripe_webhook_secret is None
        ):
            raise ValueError(
                "FITCOACH_PAYMENT_PROVIDER=stripe needs FITCOACH_STRIPE_SECRET_KEY and "
                "FITCOACH_STRIPE_WEBHOOK_SECRET"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.env is not Environment.production:
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if not secret or secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < _MIN_SECRET_LENGTH:
            raise ValueError(
                "FITCOACH_JWT_SECRET must be set to a random value of at least "
                f"{_MIN_SECRET_LENGTH} characters when FITCOACH_ENV=production"
            )
        if self.push_provider == "outbox":
            raise ValueError("the outbox push provider keeps pushes in memory; not for production")
        if self.sms_provider == "outbox":
            raise ValueError("the outbox SMS provider keeps codes in memory; not for production")
        if self.sms_provider == "console" and not self.allow_console_sms_in_production:
            raise ValueError(
                "FITCOACH_SMS_PROVIDER=console writes sign-in codes to the log instead of "
                "texting them; set FITCOACH_SMS_PROVIDER=twilio for production, or "
                "FITCOACH_ALLOW_CONSOLE_SMS_IN_PRODUCTION=true to run so on purpose"
            )
        if self.clamd_host is None and not self.allow_unscanned_attachments_in_production:
            raise ValueError(
                "attachments would be served unscanned: set FITCOACH_CLAMD_HOST to a ClamAV "
                "daemon, or FITCOACH_ALLOW_UNSCANNED_ATTACHMENTS_IN_PRODUCTION=true on purpose"
            )
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.storage_backend is StorageBackend.s3 and not self.storage_s3_bucket:
            raise ValueError(
                "FITCOACH_STORAGE_S3_BUCKET is required when FITCOACH_STORAGE_BACKEND=s3"
            )
        if bool(self.storage_s3_access_key_id) != bool(self.storage_s3_secret_access_key):
            raise ValueError(
                "FITCOACH_STORAGE_S3_ACCESS_KEY_ID and FITCOACH_STORAGE_S3_SECRET_ACCESS_KEY "
                "go together: set both, or neither to use botocore's credential chain"
            )
        return self

    @cached_property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in self.trusted_proxies)

    @property
    def serves_metrics(self) -> bool:
        return self._on_outside_production(self.metrics_enabled)

    @property
    def serves_docs(self) -> bool:
        return self._on_outside_production(self.docs_enabled)

    def _on_outside_production(self, enabled: bool | None) -> bool:
        return enabled if enabled is not None else self.env is not Environment.production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def logs_as_json(self) -> bool:
        if self.log_json is not None:
            return self.log_json
        return self.env is Environment.production

    @cached_property
    def signing_secret(self) -> str:
        """The signing secret; in development a random one is made once and kept in the data folder,
        so a restart does not log everyone out."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        secret_file = self.data_dir / "jwt_secret"
        if secret_file.exists():
            return secret_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(48)
        secret_file.touch(mode=0o600)
        secret_file.write_text(generated)
        return generated


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


def settings_problems(error: ValidationError) -> list[str]:
    """One line per invalid setting, named by its environment variable (what an operator sets),
    not by its Python field; the value is not repeated, as it may be a secret."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        message = detail["msg"].removeprefix("Value error, ")
        location = detail["loc"]
        if location:
            variable = f"{Settings.model_config['env_prefix']}{str(location[0]).upper()}"
            message = f"{variable}: {message}"
        problems.append(message)
    return problems
