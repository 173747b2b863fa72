"""create_app(): settings, resources, middleware, error handlers and routers; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from importlib import import_module

import redis.asyncio as redis
from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute

from fitcoach import __version__
from fitcoach.access.api_keys import LastUsedMemo
from fitcoach.accounts.endpoints import router as accounts_router
from fitcoach.analytics.cohorts.endpoints import router as cohorts_router
from fitcoach.analytics.exports.service import EXPORTS_STATE, Exports
from fitcoach.analytics.progress.endpoints import router as progress_analytics_router
from fitcoach.analytics.reports.endpoints import router as finance_reports_router
from fitcoach.audit.dependencies import record_unaudited_write
from fitcoach.audit.endpoints import router as audit_router
from fitcoach.auth.email_verification.endpoints import router as email_verification_router
from fitcoach.auth.endpoints import router as auth_router
from fitcoach.auth.mfa.endpoints import router as mfa_router
from fitcoach.auth.otp.endpoints import login_router as otp_login_router
from fitcoach.auth.otp.endpoints import router as otp_router
from fitcoach.auth.otp.providers import create_sms_provider
from fitcoach.auth.passwords.endpoints import router as passwords_router
from fitcoach.auth.social.verification import JwksCache

# Imported for their registration: the catch-all event handler that runs automations.
from fitcoach.automations import execution as _automation_runs  # noqa: F401
from fitcoach.automations.endpoints import router as automations_router
from fitcoach.automations.tasks.endpoints import router as tasks_router
from fitcoach.automations.timed import jobs as _time_triggers  # noqa: F401
from fitcoach.catalog.endpoints import router as catalog_router

# Imported for the event handlers they register (the worker layer knows no domain).
from fitcoach.commerce import handlers as _commerce_handlers  # noqa: F401
from fitcoach.commerce.billing import handlers as _billing_handlers  # noqa: F401
from fitcoach.commerce.billing import job as _billing_job  # noqa: F401
from fitcoach.commerce.billing.endpoints import router as subscription_changes_router
from fitcoach.commerce.invoices.endpoints import router as invoices_router
from fitcoach.commerce.orders.endpoints import router as orders_router
from fitcoach.commerce.payments.endpoints import router as payment_methods_router
from fitcoach.commerce.payments.factory import create_payment_provider
from fitcoach.commerce.payments.service import PROVIDER_INFO_KEY
from fitcoach.commerce.promos.admin_endpoints import router as promo_codes_router
from fitcoach.commerce.refunds.admin_endpoints import router as refunds_router
from fitcoach.commerce.webhooks import reconcile as _payment_reconcile  # noqa: F401
from fitcoach.commerce.webhooks.endpoints import router as payment_webhooks_router
from fitcoach.config import Settings, load_settings
from fitcoach.core.clock import Clock
from fitcoach.core.gc_tuning import freeze_start_up_heap
from fitcoach.core.logging import configure_logging
from fitcoach.core.metrics import DB_POOL_SIZE
from fitcoach.customers.endpoints import router as customers_router
from fitcoach.db.cache.change_feed import create_read_caches
from fitcoach.db.engine import (
    connections_in_use,
    create_engine,
    create_read_only_sessionmaker,
    create_sessionmaker,
)
from fitcoach.db.retry import TransactionRetryMiddleware
from fitcoach.db.session import ReadSessionMiddleware
from fitcoach.health.endpoints import router as health_router
from fitcoach.health.metrics import router as metrics_router
from fitcoach.http.docs import install_docs
from fitcoach.http.envelope import error_responses
from fitcoach.http.handlers import install_error_handlers
from fitcoach.http.middleware import RequestContextMiddleware
from fitcoach.http.openapi import install_openapi, operation_id
from fitcoach.http.path_owners import install_path_owners
from fitcoach.http.ratelimit import create_limiter
from fitcoach.http.routing import PathGuardedRouter
from fitcoach.http.text_guard import SurrogateGuardMiddleware
from fitcoach.integrations.api_keys.endpoints import router as api_keys_router
from fitcoach.integrations.wearables.endpoints import router as wearables_router

# Imported for the catch-all event handler that fans events out to partners' endpoints.
from fitcoach.integrations.webhooks import handlers as _webhook_deliveries  # noqa: F401
from fitcoach.integrations.webhooks.endpoints import router as webhooks_router
from fitcoach.jobs.endpoints import router as jobs_router
from fitcoach.messaging.attachments.dependencies import FILES_STATE
from fitcoach.messaging.attachments.endpoints import router as attachments_router
from fitcoach.messaging.attachments.providers import create_scanner
from fitcoach.messaging.attachments.service import Files
from fitcoach.messaging.community.endpoints import router as community_router

# Imported for the event handlers that keep session and program group threads' members.
from fitcoach.messaging.groups import handlers as _group_threads  # noqa: F401

# Imported for the recurring SLA sweep it registers.
from fitcoach.messaging.support import jobs as _support_jobs  # noqa: F401
from fitcoach.messaging.support.endpoints import router as support_router

# Imported for the recurring unread-message digest it registers.
from fitcoach.messaging.threads import digest as _message_digest  # noqa: F401

# Imported for the event handlers it registers.
from fitcoach.messaging.threads import handlers as _message_handlers  # noqa: F401
from fitcoach.messaging.threads.endpoints import router as threads_router
from fitcoach.notifications.delivery import DISPATCHER_INFO_KEY, NotificationDispatcher
from fitcoach.notifications.email import create_email_provider
from fitcoach.notifications.endpoints import router as notifications_router
from fitcoach.notifications.providers import create_notification_providers
from fitcoach.onboarding.endpoints import router as onboarding_router
from fitcoach.plans.admin_endpoints import router as default_plans_router
from fitcoach.plans.endpoints import router as plans_router
from fitcoach.scheduling import drop_ins as _drop_ins  # noqa: F401
from fitcoach.scheduling import handlers as _scheduling_handlers  # noqa: F401
from fitcoach.scheduling import pauses as _paused_grants  # noqa: F401
from fitcoach.scheduling import purchases as _session_purchases  # noqa: F401
from fitcoach.scheduling import reminders as _session_reminders  # noqa: F401
from fitcoach.scheduling.availability.endpoints import router as availability_router
from fitcoach.scheduling.endpoints import router as sessions_router
from fitcoach.scheduling.entitlements.endpoints import router as entitlements_router
from fitcoach.scheduling.feed.endpoints import router as calendar_feed_router
from fitcoach.scheduling.sessions import offers as _waitlist_offers  # noqa: F401
from fitcoach.scheduling.waitlist.endpoints import router as waitlist_router
from fitcoach.settings.endpoints import router as settings_router

# Imported for the recurring jobs and event handlers they register (the worker layer knows no
# domain).
from fitcoach.storage import create_file_storage
from fitcoach.stream.broker import BROKER_INFO_KEY, PRESENCE_SECONDS, create_stream_broker
from fitcoach.stream.endpoints import router as stream_router
from fitcoach.subscriptions import handlers as _subscription_handlers  # noqa: F401
from fitcoach.subscriptions import reminders as _trial_reminders  # noqa: F401
from fitcoach.subscriptions.endpoints import router as subscriptions_router
from fitcoach.training import handlers as _training_handlers  # noqa: F401
from fitcoach.training.completion.endpoints import router as completion_router
from fitcoach.training.exercises.endpoints import router as exercises_router
from fitcoach.training.progress.endpoints import router as progress_router
from fitcoach.training.schedules.endpoints import router as schedules_router
from fitcoach.training.streaks.endpoints import router as achievements_router
from fitcoach.training.substitutions.endpoints import router as substitutions_router
from fitcoach.training.today.endpoints import router as today_router
from fitcoach.worker.engine import WorkerEngine
from fitcoach.worker.runtime import attach_runtime

API_PREFIX = "/api/v1"
REDIS_TIMEOUT_SECONDS = 1.0


def serve_app() -> FastAPI:
    """The app as `fitcoach serve` runs it in each worker: its start-up heap frozen once it has
    started (core.gc_tuning), so garbage collection does not stall the loop while it serves."""
    return create_app(freeze_heap=True)


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, freeze_heap: bool = False
) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(level=settings.log_level, as_json=settings.logs_as_json)
    settings.signing_secret  # noqa: B018 - resolve (or create) the secret at start-up, not mid-request

    engine = create_engine(settings)
    change_feed, read_caches = create_read_caches(settings)
    sms_provider = create_sms_provider(settings)
    clock = clock or Clock()
    notification_providers = create_notification_providers(settings, sms_provider, clock)
    attachment_storage = create_file_storage(settings, "attachments")
    stream_broker = create_stream_broker(
        settings.redis_url,
        settings.stream_redis_channel,
        presence_seconds=max(settings.stream_max_seconds * 2, PRESENCE_SECONDS),
    )
    # One pool per process, shared by the rate limiter and the health checks.
    redis_pool = (
        redis.ConnectionPool.from_url(
            settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        if settings.redis_url
        else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if change_feed is not None:
            await change_feed.start()
        await stream_broker.start()
        await worker_engine.start_publisher()
        if settings.broker_url is None and settings.worker_embedded:
            await worker_engine.start_loops(consume=True)
        if freeze_heap:
            freeze_start_up_heap()
        yield
        await worker_engine.stop()
        await stream_broker.stop()
        if change_feed is not None:
            await change_feed.stop()
        await notification_providers.aclose()
        await sms_provider.aclose()
        await attachment_storage.aclose()
        if redis_pool is not None:
            await redis_pool.aclose()
        await engine.dispose()

    app = FastAPI(
        title="fitcoach API",
        version=__version__,
        description=(
            "The one API for a fitness coaching business: customers' mobile app, coaches' and "
            "admins' console. Every success is `{status: success, data | message}`; every error "
            "is `{status: error, message, statusCode}`."
        ),
        lifespan=lifespan,
        # Any operation may find the database unavailable; 403, 413 and 422 are added where
        # they can happen (fitcoach.http.openapi).
        responses=error_responses(503),
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        # Served by install_docs, with the pages, when the settings serve them.
        openapi_url=None,
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.clock = clock
    app.state.engine = engine
    sessionmaker = create_sessionmaker(engine, clock)
    payment_provider = create_payment_provider(settings)
    # Services find what their after-commit work needs (the live channel's broker, the
    # notification channels), and event handlers the payment provider, on the sessions this
    # app makes.
    sessionmaker.configure(
        info={
            BROKER_INFO_KEY: stream_broker,
            DISPATCHER_INFO_KEY: NotificationDispatcher(sessionmaker, notification_providers),
            PROVIDER_INFO_KEY: payment_provider,
        }
    )
    app.state.sessionmaker = sessionmaker
    app.state.read_only_sessionmaker = create_read_only_sessionmaker(engine, read_caches)
    app.state.change_feed = change_feed
    if change_feed is not None:
        change_feed.writes.watch(engine)
    app.state.redis = redis.Redis(connection_pool=redis_pool) if redis_pool is not None else None
    app.state.limiter = create_limiter(settings, redis_pool)
    app.state.sms_provider = sms_provider
    app.state.email_provider = create_email_provider(settings)
    app.state.notification_providers = notification_providers
    app.state.payment_provider = payment_provider
    app.state.stream_broker = stream_broker
    app.state.jwks_cache = JwksCache()
    app.state.api_key_last_used = LastUsedMemo()
    setattr(
        app.state,
        FILES_STATE,
        Files(
            attachment_storage,
            create_scanner(settings),
            settings.signing_secret,
        ),
    )
    setattr(
        app.state,
        EXPORTS_STATE,
        Exports(create_file_storage(settings, "exports"), settings.signing_secret),
    )
    app.state.on_authenticated_write = record_unaudited_write
    for module in settings.worker_imports:
        import_module(module)
    # Background work runs with what requests use: the providers and settings on app.state.
    worker_engine = WorkerEngine(settings, app.state.sessionmaker, app.state.clock, app.state)
    attach_runtime(app.state.sessionmaker, worker_engine)
    app.state.worker = worker_engine
    DB_POOL_SIZE.set(settings.database_pool_size)

    app.add_middleware(ReadSessionMiddleware)
    # Inside the request context, so a replayed request keeps one id and one access-log line.
    app.add_middleware(TransactionRetryMiddleware, retries=settings.database_conflict_retries)
    # Before anything parses the request, inside the request context (request id, body cap).
    app.add_middleware(SurrogateGuardMiddleware)
    app.add_middleware(
        RequestContextMiddleware, settings=settings, pool_stats=lambda: connections_in_use(engine)
    )
    install_error_handlers(app)
    # The routers, included once per process and shared by every app built in it (the tests
    # build one per test): see _included_routers.
    app.router.routes.extend(_included_routers())
    if settings.serves_docs:
        install_docs(app)
    install_path_owners(app)
    return app


@cache
def _included_routers() -> tuple[BaseRoute, ...]:
    """Every router, included under one parent with the app's own include options (the 503
    answer, the operation ids). FastAPI builds an included route's request state (its
    dependencies, a validator per field) lazily, once per inclusion; routing a request builds
    every router tried before the one that answers. Included once here, that work is done once
    per process, not once per app. The cost: `app.dependency_overrides` does not reach these
    routes (nothing here uses it)."""
    parent = APIRouter(responses=error_responses(503), generate_unique_id_function=operation_id)
    # The app's hottest screens first: FastAPI tries routes in order, twice per request (to
    # match and to dispatch); each router is guarded by its paths' literal beginnings
    # (http/routing.py), so a miss is one string check. No two routers answer the same path.
    routers = (
        auth_router,
        otp_login_router,
        passwords_router,
        email_verification_router,
        exercises_router,
        # Before plans_router, whose "/plans/{planId}" would take "/plans/today"'s GET
        # (install_path_owners refuses the other order).
        today_router,
        completion_router,
        schedules_router,
        achievements_router,
        substitutions_router,
        progress_router,
        plans_router,
        catalog_router,
        orders_router,
        invoices_router,
        payment_methods_router,
        payment_webhooks_router,
        promo_codes_router,
        refunds_router,
        subscription_changes_router,
        mfa_router,
        otp_router,
        onboarding_router,
        customers_router,
        sessions_router,
        waitlist_router,
        entitlements_router,
        availability_router,
        calendar_feed_router,
        settings_router,
        default_plans_router,
        notifications_router,
        stream_router,
        threads_router,
        community_router,
        attachments_router,
        support_router,
        subscriptions_router,
        accounts_router,
        audit_router,
        jobs_router,
        api_keys_router,
        wearables_router,
        webhooks_router,
        automations_router,
        tasks_router,
        progress_analytics_router,
        cohorts_router,
        finance_reports_router,
        health_router,
    )
    for router in routers:
        parent.include_router(PathGuardedRouter(router, API_PREFIX))
    parent.include_router(metrics_router)
    return tuple(parent.routes)
