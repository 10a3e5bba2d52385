"""Broadcasts as use cases, without Telegram: typed results, the fan-out queued as intents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.intents import BroadcastMessage, encode
from bot.services import admin
from bot.storage.uow import Database
from tests.factories import make_person

NOW = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
ADMINS = frozenset({1})


async def test_a_confirmed_broadcast_is_queued_for_everyone_once(db: Database) -> None:
    for person_id in (1, 2, 3):
        await make_person(db, person_id, now=NOW, habits=())
    with pytest.raises(admin.NotAdmin):
        await admin.draft_broadcast(db.uow(), 2, "Hi", admins=ADMINS, now=NOW)
    draft = await admin.draft_broadcast(db.uow(), 1, "Hi <all>", admins=ADMINS, now=NOW)
    assert draft.audience == 3
    queued = await admin.send_broadcast(db.uow(), 1, draft.broadcast.id, admins=ADMINS, now=NOW)
    assert queued == admin.BroadcastQueued(draft.broadcast.id, 3)
    again = await admin.send_broadcast(db.uow(), 1, draft.broadcast.id, admins=ADMINS, now=NOW)
    assert again is None
    async with db.uow() as uow:
        rows = await uow.deliveries.for_person(2)
    assert [(r.kind, r.payload) for r in rows] == [
        ("broadcast", encode(BroadcastMessage("Hi <all>")))
    ]
    overview, progress = await admin.stats(db.uow(), 1, admins=ADMINS, now=NOW)
    assert overview.people == 3 and overview.outbox == {"pending": 3}
    assert progress is not None and progress.by_status == {"pending": 3}
