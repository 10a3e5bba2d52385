"""The outbox of intents: payloads round-trip, render in today's wording, and migration 0010
keeps rows queued before it deliverable (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import i18n
from bot.delivery.rendering import UnknownKind, render
from bot.domain.challenges import Standing
from bot.domain.intents import (
    BroadcastMessage,
    ChallengeBoard,
    FollowUp,
    LessOften,
    Message,
    NudgeDue,
    NudgePassed,
    UnknownVersion,
    WeeklySummaryDue,
    decode,
    encode,
)
from bot.storage.deliveries import DeliveryRecord
from bot.storage.migrate import downgrade, upgrade
from bot.storage.uow import Database
from bot.telegram import texts
from tests import dbs

AT = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
MESSAGES: list[Message] = [
    NudgeDue("water", 3, done=2, goal=6, after_miss=True),
    LessOften("move"),
    FollowUp(date(2026, 3, 27), date(2026, 3, 28), ("bladder",)),
    WeeklySummaryDue(AT),
    NudgePassed("food", AT, "Europe/Berlin", 41),
    ChallengeBoard(5, "Water week", 2, 7, 6, False, (Standing(1, "Ana", 1, 3, 1),), 0, ()),
    BroadcastMessage("Hello <everyone>"),
]


def _record(payload: dict[str, Any], delivery_id: int = 9) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id,
        7,
        7,
        "nudge",
        "water",
        None,
        payload,
        AT,
        AT,
        "sending",
        0,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.KIND)
def test_every_message_round_trips_through_its_payload(message: Message) -> None:
    payload = encode(message)
    assert payload["v"] == 1 and payload["kind"] == message.KIND
    intent = decode(payload)
    assert type(message).of(intent.params) == message


def test_a_payload_without_a_version_is_a_rendered_message() -> None:
    assert decode({"text": "hi"}).kind == "rendered"
    with pytest.raises(UnknownVersion):
        decode({"v": 2, "kind": "nudge", "params": {}})


async def test_a_queued_nudge_shows_todays_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    queued = _record(encode(NudgeDue("water", 0)))
    # Today's catalog words the button differently from when the row was queued.
    monkeypatch.setitem(i18n._current().texts, texts.NUDGE_DONE, "✅ Did it")
    out = await render(None, queued)  # type: ignore[arg-type]  # a nudge reads nothing
    assert out.markup is not None
    assert out.markup.inline_keyboard[0][0].text == "✅ Did it"
    assert out.markup.inline_keyboard[0][0].callback_data == "n:done:9"


async def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownKind):
        await render(None, _record({"v": 1, "kind": "telepathy", "params": {}}))  # type: ignore[arg-type]


# -------------------------------------------------------------------- migration 0010

people = sa.table(
    "people",
    sa.column("id", sa.BigInteger),
    sa.column("first_name", sa.String),
    sa.column("timezone", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("recent_tips", sa.JSON),
)
deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer),
    sa.column("chat_id", sa.BigInteger),
    sa.column("person_id", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("due_at", sa.DateTime(timezone=True)),
    sa.column("send_after", sa.DateTime(timezone=True)),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("last_error", sa.String),
)
NUDGE = {
    "text": "<b>💧 Hydration</b>\nA glass now?",
    "parse_mode": "HTML",
    "buttons": [[{"text": "✅ Done", "data": "n:done:{id}"}]],
}
OLD = {
    1: ("nudge", "pending", NUDGE),
    2: ("broadcast", "sending", {"text": "Hi all", "parse_mode": None}),
    3: ("summary", "pending", {"build": "weekly_summary", "as_of": AT.isoformat()}),
    4: ("retire", "pending", {"text": "💧 Missed 10:05", "parse_mode": None, "edit": 77}),
    5: ("nudge", "sent", NUDGE),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    admin = dbs.postgres_admin_url()
    if admin is None:
        pytest.skip(dbs.SKIP_PG)
    url = dbs.create_postgres_database(admin)
    try:
        yield url
    finally:
        dbs.drop_postgres_database(admin, url)


async def _fill(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.insert(people).values(
                id=7,
                first_name="Ana",
                timezone="Europe/Berlin",
                active=True,
                created_at=AT,
                updated_at=AT,
                recent_tips=[],
            )
        )
        for row_id, (kind, status, payload) in OLD.items():
            await conn.execute(
                sa.insert(deliveries).values(
                    id=row_id,
                    chat_id=7,
                    person_id=7,
                    kind=kind,
                    payload=payload,
                    due_at=AT,
                    send_after=AT,
                    status=status,
                    attempts=0,
                    created_at=AT,
                )
            )


async def _rows(db: Database) -> dict[int, DeliveryRecord]:
    async with db.uow() as uow:
        return {r.id: r for r in await uow.deliveries.for_person(7)}


async def _after_upgrade(db: Database) -> None:
    rows = await _rows(db)
    # Rendered rows are wrapped as version 0 and sent exactly as they were stored.
    assert rows[1].payload == {"v": 0, "kind": "rendered", "params": NUDGE}
    nudge = await render(db, rows[1])
    assert (nudge.text, nudge.parse_mode) == (NUDGE["text"], "HTML")
    assert nudge.markup is not None
    assert nudge.markup.inline_keyboard[0][0].callback_data == "n:done:1"
    broadcast = await render(db, rows[2])
    assert (broadcast.text, broadcast.parse_mode) == ("Hi all", None)
    # The summary queued as {"build": ...} becomes its intent and is built when sent.
    assert rows[3].payload == {
        "v": 1,
        "kind": "weekly_summary",
        "params": {"as_of": AT.isoformat()},
    }
    summary = await render(db, rows[3])
    assert summary.text is not None and "Your week" in summary.text
    edit = await render(db, rows[4])
    assert (edit.text, edit.edit) == ("💧 Missed 10:05", 77)
    # A finished row is history: left as it was.
    assert rows[5].payload == NUDGE


async def _queue_intent(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.insert(deliveries).values(
                id=6,
                chat_id=7,
                person_id=7,
                kind="nudge",
                payload=encode(NudgeDue("water", 0)),
                due_at=AT,
                send_after=AT,
                status="pending",
                attempts=0,
                created_at=AT,
            )
        )


async def _after_downgrade(db: Database) -> None:
    async with db.engine.connect() as conn:
        found = await conn.execute(
            sa.select(deliveries.c.id, deliveries.c.status, deliveries.c.payload)
        )
        rows = {i: (status, payload) for i, status, payload in found}
    assert {i: rows[i][1] for i in OLD} == {i: payload for i, (_, _, payload) in OLD.items()}
    # Older code cannot render an intent: it is cancelled, not sent broken.
    assert rows[6][0] == "cancelled"


async def _on(url: str, check: Any) -> None:
    db = Database(url)
    try:
        await check(db)
    finally:
        await db.close()


def test_0010_keeps_rows_queued_before_it_deliverable(old_url: str) -> None:
    upgrade(old_url, "0007")
    asyncio.run(_on(old_url, _fill))
    # To the head, not 0010: rendering reads people with today's models, whose later columns
    # only later revisions add (0010's data step is the same either way).
    upgrade(old_url, "head")
    asyncio.run(_on(old_url, _after_upgrade))
    asyncio.run(_on(old_url, _queue_intent))
    downgrade(old_url, "0007")
    asyncio.run(_on(old_url, _after_downgrade))
