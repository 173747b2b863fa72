"""What the stream keeps: events for its replay window, tickets until they expire. prune() is
the periodic job that drops the rest."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from fitcoach.access.tokens import decode_access_token
from fitcoach.core.clock import FrozenClock
from fitcoach.stream.service import REPLAY_WINDOW, stream_service
from tests.factories import Factory


async def test_prune_drops_events_past_the_replay_window_and_expired_tickets(
    app: FastAPI, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    now = clock.now()
    secret = app.state.settings.signing_secret
    claims = decode_access_token(app.state.settings, customer.access_token, now)
    caller = (claims.user_id, claims.session_id)
    # An event is stamped with the clock's time when it is written.
    async with app.state.sessionmaker() as session, session.begin():
        await stream_service.publish(session, customer.id, "notification", {"label": "old"})
    clock.advance(seconds=(REPLAY_WINDOW + timedelta(minutes=1)).total_seconds())
    now = clock.now()
    async with app.state.sessionmaker() as session, session.begin():
        await stream_service.publish(session, customer.id, "notification", {"label": "new"})
        live = stream_service.issue_ticket(session, secret, caller, now)
        stale = stream_service.issue_ticket(session, secret, caller, now - timedelta(minutes=5))

    async with app.state.sessionmaker() as session, session.begin():
        await stream_service.prune(session, now)

    kept = [
        message.data["label"]
        async for message in stream_service.replay(app.state.sessionmaker, customer.id, 0)
    ]
    assert kept == ["new"]
    sessionmaker = app.state.sessionmaker
    assert await stream_service.redeem_ticket(sessionmaker, secret, stale.ticket, now) is None
    assert await stream_service.redeem_ticket(sessionmaker, secret, live.ticket, now) == caller
