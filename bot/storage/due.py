"""Due reminders for the tick: claim them in bulk, look up what they depend on, move them on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    CursorResult,
    Integer,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    case,
    column,
    exists,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.types import TypeDecorator

from bot.domain.schedule import Rule, local_date
from bot.storage.delivery_days import add_counts, tally
from bot.storage.models import (
    Challenge,
    CheckIn,
    DaySkip,
    Delivery,
    HabitLog,
    Person,
    Reminder,
    UtcDateTime,
)
from bot.storage.people import PersonRecord
from bot.storage.sql import is_postgres

# Ids go to the database as one bound value (a JSON array on SQLite, an array on PostgreSQL),
# so a chunk is not held to the bound-parameter limits; one chunk covers several tick batches.
ID_CHUNK = 10_000
# Outbox rows the tick makes; a late one of these is stale, unlike a broadcast.
NUDGE_KINDS = ("nudge", "ask")
# The response of a nudge whose time has passed: its buttons came off, it was not answered.
RETIRED = "retired"
# Outbox rows that start a conversation, so they space out from each other.
BUDGETED_KINDS = ("nudge", "ask", "summary")

_r = cast(Table, Reminder.__table__)
_p = cast(Table, Person.__table__)
_d = cast(Table, Delivery.__table__)
_c = cast(Table, Challenge.__table__)


# Not frozen: a tick builds thousands, and a frozen dataclass sets each field the slow way.
@dataclass(slots=True)
class DueReminder:
    """A claimed reminder with its owner and the outcome of its previous delivery (read-only)."""

    id: int
    habit: str
    rule: dict[str, Any]
    enabled: bool
    due: datetime
    ignored_in_row: int
    asked_less_at: datetime | None
    recent_texts: list[int]
    person: PersonRecord
    backoff: int
    steady: bool
    # The person's own daily goal for the habit (None: it follows the schedule).
    goal: int | None
    prev_kind: str | None
    prev_status: str | None
    prev_response: str | None
    # The rule as stored (compared on re-read) and parsed once (None: malformed).
    rule_text: str = ""
    parsed: Rule | None = None


def _rule_text(value: Any) -> str:
    """Return a stored rule as text: SQLite hands back the text, asyncpg the decoded JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=4096)
def _rule_of(text: str) -> tuple[dict[str, Any], Rule | None]:
    """Decode and parse a stored rule once per distinct text: a crowd shares few rules.

    The dict is shared by every reminder with that rule; nothing may change it in place.
    """
    data = json.loads(text)
    try:
        return data, Rule.from_dict(data)
    except (ValueError, KeyError, TypeError):
        return data, None


# Read as the driver returns it (no per-value type processing): the claim converts what it
# needs itself, remembering values a crowd shares (due times, recent-text lists).
class _AsIs(TypeDecorator[Any]):
    """No processing either way (unlike NullType, an INSERT keeps it instead of the column's)."""

    impl = NullType
    cache_ok = True


_RAW = _AsIs()


def _raw(col: Any) -> Any:
    return type_coerce(col, _RAW)


@lru_cache(maxsize=16384)
def _parse_at(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _at(value: Any) -> datetime | None:
    """Return a stored time as an aware UTC datetime (SQLite: text; asyncpg: a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_at(value)
    assert isinstance(value, datetime)
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _texts_of(text: str) -> tuple[int, ...]:
    return tuple(int(i) for i in json.loads(text))


def _recent(value: Any) -> list[int]:
    """Return a stored recent-texts list (SQLite: JSON text; asyncpg: the decoded list)."""
    if not value:
        return []
    if isinstance(value, str):
        return list(_texts_of(value))
    return [int(i) for i in value]


def _same_at(at: datetime | None) -> datetime | None:
    """Bind a time for asyncpg, which takes aware datetimes as they are."""
    if at is not None and at.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return at


def _sqlite_at(at: datetime | None) -> str | None:
    """Bind a time for SQLite as SQLAlchemy stores it (UTC, no zone, microseconds)."""
    return None if at is None else _sqlite_text(at)


@lru_cache(maxsize=16384)
def _sqlite_text(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _to_json(value: Any) -> str:
    """Bind a JSON column's value as SQLAlchemy's JSON type does (None is JSON null)."""
    return json.dumps(value)


def _among(col: Any, ids: Sequence[int], postgres: bool) -> Any:
    """Return `col IN ids` as one bound value, so the statement compiles once, whatever size.

    An expanding IN list renders and binds each id on every execution (2,000 per batch).
    """
    if postgres:
        # BIGINT whatever the column: people's ids are Telegram's 64-bit ids.
        return col == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger)))
    listed = bindparam("ids", json.dumps(list(ids)), type_=Text)
    return col.in_(select(column("value")).select_from(func.json_each(listed)).scalar_subquery())


@dataclass(frozen=True)
class Advance:
    """The new state of a claimed reminder after the tick handled it."""

    id: int
    next_fire_at: datetime | None
    ignored_in_row: int
    asked_less_at: datetime | None
    recent_texts: list[int]
    backoff: int = 0


@dataclass(frozen=True)
class DoneFacts:
    """What a batch of people did recently: last time per habit, done and skipped days."""

    last_at: dict[tuple[int, str], datetime]
    done_days: set[tuple[int, str, date]]
    skipped_days: set[tuple[int, str, date]]
    checkin_days: set[tuple[int, date]]
    # How much of each habit was logged per local day (a "3 glasses" log counts 3).
    amounts: dict[tuple[int, str, date], int] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveNudge:
    """A sent nudge nobody answered yet: its buttons still work until it is retired."""

    id: int
    person_id: int
    habit: str
    chat_id: int
    message_id: int
    sent_at: datetime


@dataclass(frozen=True)
class Sent:
    """A bot-initiated message already queued or sent: what the day's budget is made of."""

    habit: str | None
    kind: str
    at: datetime
    # A snooze the person asked for has no reminder and counts against nothing.
    requested: bool


def _latest(column: Any) -> Any:
    """Return a column of the reminder's latest delivery (an index seek on reminder, due)."""
    return (
        select(column)
        .where(_d.c.reminder_id == _r.c.id)
        .order_by(_d.c.due_at.desc())
        .limit(1)
        .correlate(_r)
        .scalar_subquery()
    )


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield list(ids[start : start + ID_CHUNK])


def _claim_statement() -> Any:
    """Return the claim's SELECT, built once: the tick runs it every second, mostly idle.

    Building it per call (an alias, 27 columns, a correlated subquery) cost more than running
    it when nothing is due; bound `due_by` and `claim_limit` let one statement serve all.
    """
    # One seek for the previous delivery (three correlated subqueries cost three).
    prev = _d.alias("prev")
    return (
        select(
            _r.c.id,
            _r.c.habit,
            _raw(_r.c.rule),
            _r.c.enabled,
            _raw(_r.c.next_fire_at),
            _r.c.ignored_in_row,
            _raw(_r.c.asked_less_at),
            _raw(_r.c.recent_texts),
            _r.c.backoff,
            _r.c.steady,
            _r.c.goal,
            _p.c.id,
            _p.c.first_name,
            _p.c.timezone,
            _p.c.wake_time,
            _p.c.sleep_time,
            _p.c.sit_start,
            _p.c.sit_end,
            _raw(_p.c.consent_at),
            _raw(_p.c.onboarded_at),
            _raw(_p.c.paused_until),
            _p.c.active,
            _raw(_p.c.created_at),
            _p.c.nudge_budget,
            prev.c.kind,
            prev.c.status,
            prev.c.response,
        )
        .join_from(_r, _p, _p.c.id == _r.c.person_id)
        .outerjoin(prev, prev.c.id == _latest(_d.c.id))
        .where(_r.c.next_fire_at <= bindparam("due_by", type_=_r.c.next_fire_at.type))
        .order_by(_r.c.next_fire_at)
        .limit(bindparam("claim_limit", type_=Integer))
    )


_CLAIM = _claim_statement()
# Is anything due at all: two index seeks, read alongside writers (no write lock taken).
_DUE_AT_ALL = select(
    exists().where(_r.c.next_fire_at <= bindparam("due_by", type_=_r.c.next_fire_at.type)),
    exists().where(_c.c.next_post_at <= bindparam("post_by", type_=_c.c.next_post_at.type)),
)
# PostgreSQL locks the claimed reminders (not their people or deliveries) for this tick.
_CLAIM_PG = _CLAIM.with_for_update(skip_locked=True, of=_r)


class _ForIds:
    """A per-batch read built once per backend, its ids bound as one value (`:ids`)."""

    def __init__(self, build: Callable[[Callable[[Any], Any]], Any]) -> None:
        self.sqlite = build(lambda col: _in_ids(col, postgres=False))
        self.postgres = build(lambda col: _in_ids(col, postgres=True))


def _in_ids(col: Any, *, postgres: bool) -> Any:
    """Return `col IN :ids`, the ids bound at execution (see `_among`)."""
    if postgres:
        return col == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    listed = bindparam("ids", type_=Text)
    return col.in_(select(column("value")).select_from(func.json_each(listed)).scalar_subquery())


def _since(col: Any, name: str = "since") -> Any:
    return col >= bindparam(name, type_=col.type)


_h = cast(Table, HabitLog.__table__)
_s = cast(Table, DaySkip.__table__)
_ci = cast(Table, CheckIn.__table__)

# The tick's per-batch reads, built once: building one per call and hashing it for the
# statement cache cost about as much as running it when a handful of reminders are due.
_LOGGED = _ForIds(
    lambda among: (
        select(
            _h.c.person_id,
            _h.c.habit,
            _h.c.local_date,
            func.max(_h.c.at),
            func.sum(func.coalesce(_h.c.amount, 1)),
        )
        .where(among(_h.c.person_id), _since(_h.c.local_date))
        .group_by(_h.c.person_id, _h.c.habit, _h.c.local_date)
    )
)
_SKIPPED = _ForIds(
    lambda among: select(_s.c.person_id, _s.c.habit, _s.c.local_date).where(
        among(_s.c.person_id), _since(_s.c.local_date)
    )
)
_CHECKED_IN = _ForIds(
    lambda among: select(_ci.c.person_id, _ci.c.local_date).where(
        among(_ci.c.person_id), _since(_ci.c.local_date), _ci.c.completed_at.is_not(None)
    )
)
_SENT = _ForIds(
    lambda among: (
        select(_d.c.person_id, _d.c.habit, _d.c.kind, _d.c.send_after, _d.c.reminder_id)
        .where(
            among(_d.c.person_id),
            _since(_d.c.send_after),
            _d.c.kind.in_(BUDGETED_KINDS),
            _d.c.status.in_(("pending", "sending", "sent")),
        )
        .order_by(_d.c.send_after)
    )
)
_ANSWERED = _ForIds(
    lambda among: (
        select(_d.c.person_id, func.max(_d.c.sent_at))
        .where(
            among(_d.c.person_id),
            _since(_d.c.sent_at),
            _d.c.response.is_not(None),
            _d.c.response != RETIRED,
        )
        .group_by(_d.c.person_id)
    )
)
_LOGGED_LAST = _ForIds(
    lambda among: (
        select(_h.c.person_id, func.max(_h.c.at))
        .where(among(_h.c.person_id), _since(_h.c.local_date, "day"))
        .group_by(_h.c.person_id)
    )
)
_CHECKED_IN_LAST = _ForIds(
    lambda among: (
        select(_ci.c.person_id, func.max(_ci.c.updated_at))
        .where(among(_ci.c.person_id), _since(_ci.c.local_date, "day"))
        .group_by(_ci.c.person_id)
    )
)
_HABITS_ON = _ForIds(
    lambda among: (
        select(_r.c.person_id, func.count())
        .where(
            among(_r.c.person_id),
            _r.c.enabled.is_(True),
            _r.c.habit.not_in(("checkin", "summary")),
        )
        .group_by(_r.c.person_id)
    )
)
_LIVE = select(
    _d.c.id,
    _d.c.person_id,
    _d.c.habit,
    _d.c.chat_id,
    _d.c.telegram_message_id,
    _d.c.sent_at,
).where(
    _d.c.kind == "nudge",
    _d.c.status == "sent",
    _d.c.response.is_(None),
    _d.c.telegram_message_id.is_not(None),
)
_LIVE_OF = _ForIds(lambda among: _LIVE.where(among(_d.c.person_id)))
# The re-read before the writes: what a change after the claim would have moved.
_AS_CLAIMED = _ForIds(
    lambda among: (
        select(
            _r.c.id,
            _raw(_r.c.rule),
            _r.c.enabled,
            _raw(_r.c.next_fire_at),
            func.coalesce(_r.c.ignored_in_row, 0),
            _p.c.timezone,
            _raw(_p.c.paused_until),
            _p.c.active,
        )
        .join_from(_r, _p, _p.c.id == _r.c.person_id)
        .where(among(_r.c.id))
    )
)


@lru_cache(maxsize=16)
def _queue_statement(keys: tuple[str, ...], postgres: bool) -> Any:
    """Return the outbox insert for rows with these keys, built once per backend."""
    # Times and JSON arrive bound by the caller (`DueReminders._converter`): passed as they are.
    values = {
        k: bindparam(
            f"v_{k}",
            type_=_RAW if isinstance(_d.c[k].type, UtcDateTime | JSON) else _d.c[k].type,
        )
        for k in keys
    }
    insert = postgresql.insert(_d) if postgres else sqlite.insert(_d)
    return insert.values(values).on_conflict_do_nothing(index_elements=["reminder_id", "due_at"])


# The compare-and-set that moves claimed reminders on; values bound as the caller formats them.
_ADVANCE = (
    update(_r)
    .where(
        _r.c.id == bindparam("rid"),
        _r.c.next_fire_at == bindparam("was_at", type_=_RAW),
        _r.c.enabled == bindparam("was_on"),
    )
    .values(
        next_fire_at=bindparam("nfa", type_=_RAW),
        ignored_in_row=bindparam("ign"),
        asked_less_at=bindparam("asked", type_=_RAW),
        recent_texts=bindparam("recent", type_=_RAW),
        backoff=bindparam("backoff"),
    )
)


class DueReminders:
    """Repository of what the dispatcher reads and writes in one tick."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _among(self, col: Any, ids: Sequence[int]) -> Any:
        return _among(col, ids, is_postgres(self.session))

    def _converter(self, column_type: Any) -> Callable[[Any], Any] | None:
        """Return how the tick's writes bind a column's values themselves (None: as usual).

        The tick writes thousands of rows whose times repeat (due, now, next fire): formatting
        each distinct time once spares a type-processing call per value and row.
        """
        if isinstance(column_type, UtcDateTime):
            return _same_at if is_postgres(self.session) else _sqlite_at
        if isinstance(column_type, JSON):
            return _to_json
        return None

    async def anything_due(self, due_by: datetime, post_by: datetime) -> tuple[bool, bool]:
        """Tell whether any reminder is due by `due_by`, and any group post by `post_by`."""
        row = (
            await self.session.execute(_DUE_AT_ALL, {"due_by": due_by, "post_by": post_by})
        ).one()
        return bool(row[0]), bool(row[1])

    async def claim(self, now: datetime, limit: int) -> list[DueReminder]:
        """Return up to `limit` reminders due at `now`, oldest first, locked for this tick.

        On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, so several instances
        share the work without waiting for each other; SQLite runs a single instance.
        """
        stmt = _CLAIM_PG if is_postgres(self.session) else _CLAIM
        result = cast(
            CursorResult[Any],
            await self.session.execute(stmt, {"due_by": now, "claim_limit": limit}),
        )
        # The driver's own tuples: every column is converted below (or needs no converting),
        # so a Row per reminder would only be built to be unpacked.
        rows: Sequence[Any] = result.cursor.fetchall()
        result.close()
        people: dict[int, PersonRecord] = {}
        out = []
        for (
            rid,
            habit,
            rule_text,
            enabled,
            due,
            ignored,
            asked,
            recent,
            backoff,
            steady,
            goal,
            pid,
            first_name,
            zone,
            wake,
            sleep,
            sit_start,
            sit_end,
            consent,
            onboarded,
            paused,
            active,
            created,
            budget,
            prev_kind,
            prev_status,
            prev_response,
        ) in rows:
            person = people.get(pid)
            if person is None:
                person = people[pid] = PersonRecord(
                    id=pid,
                    first_name=first_name,
                    timezone=zone,
                    wake_time=wake,
                    sleep_time=sleep,
                    sit_start=sit_start,
                    sit_end=sit_end,
                    consent_at=_at(consent),
                    onboarded_at=_at(onboarded),
                    paused_until=_at(paused),
                    active=bool(active),
                    created_at=_at(created),  # type: ignore[arg-type]
                    nudge_budget=budget,
                )
            rule_text = _rule_text(rule_text)
            rule, parsed = _rule_of(rule_text)
            out.append(
                DueReminder(
                    id=rid,
                    habit=habit,
                    rule=rule,
                    enabled=bool(enabled),
                    due=_at(due),  # type: ignore[arg-type]
                    ignored_in_row=ignored or 0,
                    asked_less_at=_at(asked),
                    recent_texts=_recent(recent),
                    person=person,
                    backoff=backoff or 0,
                    steady=bool(steady),
                    goal=goal,
                    prev_kind=prev_kind,
                    prev_status=prev_status,
                    prev_response=prev_response,
                    rule_text=rule_text,
                    parsed=parsed,
                )
            )
        return out

    async def _read(self, statements: _ForIds, chunk: Sequence[int], **params: Any) -> Any:
        """Run a prebuilt per-batch read for one chunk of ids."""
        postgres = is_postgres(self.session)
        ids: Any = list(chunk) if postgres else json.dumps(list(chunk))
        stmt = statements.postgres if postgres else statements.sqlite
        return await self.session.execute(stmt, {"ids": ids, **params})

    async def done_facts(self, person_ids: Iterable[int], since: date) -> DoneFacts:
        """Return, for a batch of people, their habit logs, skips and check-ins since a day."""
        ids = sorted(set(person_ids))
        facts = DoneFacts({}, set(), set(), set())
        for chunk in _chunks(ids):
            logs = await self._read(_LOGGED, chunk, since=since)
            for person_id, habit, day, at, amount in logs.tuples():
                facts.done_days.add((person_id, habit, day))
                facts.amounts[(person_id, habit, day)] = int(amount or 0)
                key = (person_id, habit)
                if key not in facts.last_at or at > facts.last_at[key]:
                    facts.last_at[key] = at
            skips = await self._read(_SKIPPED, chunk, since=since)
            facts.skipped_days.update(skips.tuples())
            checkins = await self._read(_CHECKED_IN, chunk, since=since)
            facts.checkin_days.update(checkins.tuples())
        return facts

    async def sent_since(
        self, person_ids: Iterable[int], since: datetime
    ) -> dict[int, list[Sent]]:
        """Return each person's bot-initiated messages queued or sent since `since`."""
        ids = sorted(set(person_ids))
        out: dict[int, list[Sent]] = {}
        for chunk in _chunks(ids):
            rows = await self._read(_SENT, chunk, since=since)
            for person_id, habit, kind, at, reminder_id in rows.tuples():
                out.setdefault(person_id, []).append(
                    Sent(habit, kind, at, requested=reminder_id is None)
                )
        return out

    async def last_engaged(
        self, person_ids: Iterable[int], since: datetime
    ) -> dict[int, datetime]:
        """Return when each person last answered a nudge, logged or checked in, since `since`."""
        out: dict[int, datetime] = {}

        def note(rows: Any) -> None:
            for person_id, at in rows.tuples():
                if at is not None and (person_id not in out or at > out[person_id]):
                    out[person_id] = at

        for chunk in _chunks(sorted(set(person_ids))):
            note(await self._read(_ANSWERED, chunk, since=since))
            note(await self._read(_LOGGED_LAST, chunk, day=since.date()))
            note(await self._read(_CHECKED_IN_LAST, chunk, day=since.date()))
        return out

    async def habit_counts(self, person_ids: Iterable[int]) -> dict[int, int]:
        """Return how many habits (not the check-in or the summary) each person has on."""
        out: dict[int, int] = {}
        for chunk in _chunks(sorted(set(person_ids))):
            rows = await self._read(_HABITS_ON, chunk)
            out.update((person_id, int(n)) for person_id, n in rows.tuples())
        return out

    async def live_nudges(
        self, person_ids: Iterable[int]
    ) -> dict[tuple[int, str], list[LiveNudge]]:
        """Return each person's sent, unanswered nudges by habit (their keyboards are live)."""
        out: dict[tuple[int, str], list[LiveNudge]] = {}
        for chunk in _chunks(sorted(set(person_ids))):
            for nudge in self._lives(await self._read(_LIVE_OF, chunk)):
                out.setdefault((nudge.person_id, nudge.habit), []).append(nudge)
        return out

    async def live_nudges_before(self, before: datetime, limit: int) -> list[LiveNudge]:
        """Return unanswered nudges sent before `before`, oldest first (for the day's end)."""
        stmt = _LIVE.where(_d.c.sent_at < before).order_by(_d.c.sent_at).limit(limit)
        return self._lives(await self.session.execute(stmt))

    @staticmethod
    def _lives(rows: Any) -> list[LiveNudge]:
        return [
            LiveNudge(id_, person_id, habit or "", chat_id, message_id, sent_at)
            for id_, person_id, habit, chat_id, message_id, sent_at in rows.tuples()
        ]

    async def retire(self, delivery_ids: Sequence[int]) -> None:
        """Mark nudges as passed, so their buttons answer kindly and change nothing."""
        for chunk in _chunks(list(delivery_ids)):
            await self.session.execute(
                update(_d)
                .where(self._among(_d.c.id, chunk), _d.c.response.is_(None))
                .values(response=RETIRED)
            )

    async def queue(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the tick's outbox rows in one executemany; an occurrence already queued stays.

        Every row carries every column, so one compiled statement serves the whole batch.
        """
        if not rows:
            return
        keys = tuple(rows[0])
        conv = [self._converter(_d.c[k].type) for k in keys]
        stmt = _queue_statement(keys, is_postgres(self.session))
        pairs = [(f"v_{k}", k, f) for k, f in zip(keys, conv, strict=True)]
        await self.session.execute(
            stmt,
            [{name: r[k] if f is None else f(r[k]) for name, k, f in pairs} for r in rows],
        )
        # Skipped and missed rows are finished as they are written; count them now.
        await add_counts(self.session, tally((r["created_at"], r["status"]) for r in rows))

    async def unchanged(self, claimed: Sequence[DueReminder]) -> set[int]:
        """Return the ids of claimed reminders still as they were claimed (rule, on, pause...).

        Read again just before the tick writes, so a change that got in after the claim wins
        (the tick's own isolation should prevent that; this keeps it true if it ever does not).
        """
        by_id = {d.id: d for d in claimed}
        kept: set[int] = set()
        for chunk in _chunks(list(by_id)):
            rows = await self._read(_AS_CLAIMED, chunk)
            for rid, rule, enabled, due, ignored, zone, paused, active in rows.tuples():
                was = by_id[rid]
                if (_rule_text(rule), bool(enabled), _at(due), ignored, zone, _at(paused)) == (
                    was.rule_text,
                    was.enabled,
                    was.due,
                    was.ignored_in_row,
                    was.person.timezone,
                    was.person.paused_until,
                ) and bool(active) == was.person.active:
                    kept.add(rid)
        return kept

    async def advance(self, changes: Sequence[Advance], claimed: Sequence[DueReminder]) -> None:
        """Store each reminder's next fire time and nudge state in one executemany.

        A compare-and-set: a reminder whose next fire time or on/off changed since it was
        claimed keeps what the person's change wrote.
        """
        if not changes:
            return
        was = {d.id: d for d in claimed}
        at = self._converter(_r.c.next_fire_at.type)
        texts = self._converter(_r.c.recent_texts.type)
        assert at is not None and texts is not None
        await self.session.execute(
            _ADVANCE,
            [
                {
                    "rid": c.id,
                    "nfa": at(c.next_fire_at),
                    "ign": c.ignored_in_row,
                    "asked": at(c.asked_less_at),
                    "recent": texts(c.recent_texts),
                    "backoff": c.backoff,
                    "was_at": at(was[c.id].due),
                    "was_on": was[c.id].enabled,
                }
                for c in changes
            ],
        )

    async def withdrawn(self, delivery_ids: Sequence[int], now: datetime) -> dict[int, str]:
        """Return which of the tick's outbox rows must not go out now, and why.

        The sender's last look before a nudge leaves: the person paused, turned the habit
        off, skipped it for the day or left since the tick queued it. One read per batch.
        """
        found: list[tuple[int, int, str, datetime, str, str | None]] = []
        for chunk in _chunks(list(delivery_ids)):
            rows = await self.session.execute(
                select(
                    _d.c.id,
                    _p.c.id,
                    _d.c.habit,
                    _d.c.due_at,
                    _p.c.timezone,
                    _p.c.active,
                    _p.c.paused_until,
                    _r.c.enabled,
                )
                .join_from(_d, _p, _p.c.id == _d.c.person_id)
                .outerjoin(_r, _r.c.id == _d.c.reminder_id)
                .where(self._among(_d.c.id, chunk), _d.c.reminder_id.is_not(None))
            )
            for did, pid, habit, due_at, zone, active, paused_until, enabled in rows.tuples():
                if not active:
                    found.append((did, pid, habit, due_at, "", "person inactive"))
                elif paused_until is not None and paused_until > now:
                    found.append((did, pid, habit, due_at, "", "paused"))
                elif not enabled:
                    found.append((did, pid, habit, due_at, "", "habit off"))
                else:
                    found.append((did, pid, habit, due_at, zone or "UTC", None))
        why = {did: reason for did, _, _, _, _, reason in found if reason is not None}
        rest = [f for f in found if f[5] is None]
        if rest:
            since = min(f[3] for f in rest).date() - timedelta(days=1)
            skipped: set[tuple[int, str, date]] = set()
            for chunk in _chunks(sorted({f[1] for f in rest})):
                skips = await self.session.execute(
                    select(DaySkip.person_id, DaySkip.habit, DaySkip.local_date).where(
                        self._among(DaySkip.person_id, chunk), DaySkip.local_date >= since
                    )
                )
                skipped.update(skips.tuples())
            for did, pid, habit, due_at, zone, _ in rest:
                if (pid, habit, local_date(due_at, ZoneInfo(zone))) in skipped:
                    why[did] = "skipped today"
        return why

    async def withdraw(self, reasons: dict[int, str], owner: str) -> None:
        """Cancel rows the sender holds that must not go out, saying why."""
        if not reasons:
            return
        stmt = (
            update(_d)
            .where(
                _d.c.id == bindparam("did"),
                _d.c.status == "sending",
                _d.c.claimed_by == bindparam("owner"),
            )
            .values(status="cancelled", last_error=bindparam("why"), claimed_until=None)
        )
        await self.session.execute(
            stmt, [{"did": did, "owner": owner, "why": why} for did, why in reasons.items()]
        )

    async def reset_ignored(self, person_id: int, habit: str) -> None:
        """Forget unanswered nudges of a habit and undo one step of back-off: they answered."""
        await self.session.execute(
            update(Reminder)
            .where(Reminder.person_id == person_id, Reminder.habit == habit)
            .values(
                ignored_in_row=0,
                backoff=case((Reminder.backoff > 0, Reminder.backoff - 1), else_=0),
            )
        )

    async def keep_rhythm(self, person_id: int, habit: str) -> None:
        """Bring a habit's nudges back to their full rhythm and never thin them out again."""
        await self.session.execute(
            update(Reminder)
            .where(Reminder.person_id == person_id, Reminder.habit == habit)
            .values(ignored_in_row=0, backoff=0, steady=True)
        )

    async def expire_stale(self, before: datetime, *, now: datetime) -> int:
        """Mark nudges still unsent from before `before` as missed (the bot was down)."""
        stale = and_(
            _d.c.status == "pending",
            _d.c.send_after < before,
            _d.c.kind.in_(NUDGE_KINDS),
        )
        # A read first: an UPDATE would take SQLite's write lock even when nothing matches.
        if await self.session.scalar(select(_d.c.id).where(stale).limit(1)) is None:
            return 0
        result = cast(
            CursorResult[Any],
            await self.session.execute(update(_d).where(stale).values(status="missed")),
        )
        missed = int(result.rowcount or 0)
        await add_counts(self.session, Counter({(now.date(), "missed"): missed}))
        return missed
