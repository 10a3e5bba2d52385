"""People and chats: who talks to the bot, where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.habits import Habit
from bot.domain.hhmm import format_hhmm
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import Window
from bot.storage.models import Chat, Person
from bot.storage.sql import insert_for, run

_people = cast(Table, Person.__table__)
# Every update reads its sender: built once (see storage.sql.run).
_BY_ID = select(*_people.c).where(_people.c.id == bindparam("person_id"))
# The SET clause comes from the parameters' keys; the row's id is bound apart.
_CHANGE = update(_people).where(_people.c.id == bindparam("person"))


@dataclass(frozen=True)
class PersonRecord:
    """What the services need to know about a person."""

    id: int
    first_name: str
    timezone: str | None
    wake_time: str | None
    sleep_time: str | None
    sit_start: str | None
    sit_end: str | None
    consent_at: datetime | None
    onboarded_at: datetime | None
    paused_until: datetime | None
    active: bool
    created_at: datetime
    # "light" | "normal" | "more": how many bot-initiated messages a day (None: the default).
    nudge_budget: str | None = None
    ask_stool: bool = False  # the check-in asks the stool form (turned on in /settings)
    hot_drinks_count: bool = False  # tea and coffee count toward water (the person opted in)
    phq_on: bool = False  # the PHQ-4 every two weeks (the person opted in)
    pending: PendingInput | None = None  # what their next typed message answers

    @property
    def consented(self) -> bool:
        return self.consent_at is not None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None


def to_record(row: Person | Row[Any]) -> PersonRecord:
    """Copy a row (an ORM object or a row of the table) into a plain record."""
    return PersonRecord(
        id=row.id,
        first_name=row.first_name,
        timezone=row.timezone,
        wake_time=row.wake_time,
        sleep_time=row.sleep_time,
        sit_start=row.sit_start,
        sit_end=row.sit_end,
        consent_at=row.consent_at,
        onboarded_at=row.onboarded_at,
        paused_until=row.paused_until,
        active=row.active,
        nudge_budget=row.nudge_budget,
        created_at=row.created_at,
        ask_stool=bool(row.ask_stool),
        hot_drinks_count=bool(row.hot_drinks_count),
        phq_on=bool(row.phq_on),
        pending=pending_of(row),
    )


def pending_of(row: Person | Row[Any]) -> PendingInput | None:
    """Read a person's pending input from its columns (None if absent or damaged)."""
    if row.pending_feature is None or row.pending_step is None or row.pending_asked_at is None:
        return None
    try:
        return PendingInput(
            feature=Feature(row.pending_feature),
            step=row.pending_step,
            asked_at=row.pending_asked_at,
            day=row.pending_day,
            habit=None if row.pending_habit is None else Habit(row.pending_habit),
        )
    except ValueError:
        # Nothing could have asked this: typed text goes to plain-words logging instead.
        return None


def pending_columns(pending: PendingInput | None) -> dict[str, Any]:
    """Write a pending input (or none) as column values."""
    if pending is None:
        return dict.fromkeys(
            ("pending_feature", "pending_step", "pending_day", "pending_habit", "pending_asked_at")
        )
    return {
        "pending_feature": pending.feature.value,
        "pending_step": pending.step,
        "pending_day": pending.day,
        "pending_habit": None if pending.habit is None else pending.habit.value,
        "pending_asked_at": pending.asked_at,
    }


class People:
    """Repository of people and their chats."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def seen(
        self,
        person_id: int,
        *,
        first_name: str,
        username: str | None,
        language_code: str | None,
        now: datetime,
    ) -> tuple[PersonRecord, bool]:
        """Record that a person wrote; return them and whether they are new. Safe to repeat."""
        table = Person.__table__
        stmt = (
            insert_for(self.session, table)
            .values(
                id=person_id,
                first_name=first_name[:128],
                username=(username or None) and username[:64],
                language_code=(language_code or None) and language_code[:16],
                active=True,
                created_at=now,
                updated_at=now,
                last_seen_at=now,
                recent_tips=[],
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        result = cast(CursorResult[Any], await self.session.execute(stmt))
        created = bool(result.rowcount)
        if not created:
            # Writing to the bot again undoes a block (403) recorded earlier.
            await self.session.execute(
                update(Person)
                .where(Person.id == person_id)
                .values(
                    first_name=first_name[:128],
                    username=(username or None) and username[:64],
                    active=True,
                    blocked_at=None,
                    last_seen_at=now,
                )
            )
        row = await self.session.get_one(Person, person_id, populate_existing=True)
        return to_record(row), created

    async def get(self, person_id: int) -> PersonRecord | None:
        """Return a person or None."""
        row = (await run(self.session, _BY_ID, {"person_id": person_id})).first()
        return None if row is None else to_record(row)

    async def get_many(self, person_ids: list[int]) -> dict[int, PersonRecord]:
        """Return the people with these ids (one read; the missing are left out)."""
        if not person_ids:
            return {}
        rows = await self.session.scalars(
            select(Person)
            .where(Person.id.in_(sorted(set(person_ids))))
            .execution_options(populate_existing=True)
        )
        return {row.id: to_record(row) for row in rows}

    async def row(self, person_id: int) -> Person | None:
        """Return the ORM row (left for services/tips.py; new code uses the intents below)."""
        return await self.session.get(Person, person_id, populate_existing=True)

    async def _change(self, person_id: int, now: datetime, **values: Any) -> PersonRecord | None:
        """Write some of a person's columns; return them as they are now (None if gone)."""
        params = {"person": person_id, "updated_at": now, **values}
        await run(self.session, _CHANGE, params)
        return await self.get(person_id)

    async def set_pending(
        self, person_id: int, pending: PendingInput | None, now: datetime
    ) -> PersonRecord | None:
        """Say what the person's next typed message answers (None: nothing)."""
        return await self._change(person_id, now, **pending_columns(pending))

    async def clear_pending(self, person_id: int, feature: Feature) -> bool:
        """Stop waiting for typed text if `feature` asked for it; return whether it did."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Person)
                .where(Person.id == person_id, Person.pending_feature == feature.value)
                .values(**pending_columns(None))
            ),
        )
        return bool(result.rowcount)

    async def record_consent(self, person_id: int, now: datetime) -> PersonRecord | None:
        """Record that the person agreed to what the bot stores."""
        return await self._change(person_id, now, consent_at=now)

    async def set_zone(self, person_id: int, zone: str, now: datetime) -> PersonRecord | None:
        """Store the person's IANA time zone."""
        return await self._change(person_id, now, timezone=zone)

    async def set_wake(self, person_id: int, wake: time, now: datetime) -> PersonRecord | None:
        """Store when the person's day starts."""
        return await self._change(person_id, now, wake_time=format_hhmm(wake))

    async def set_sleep(self, person_id: int, sleep: time, now: datetime) -> PersonRecord | None:
        """Store when the person's day ends."""
        return await self._change(person_id, now, sleep_time=format_hhmm(sleep))

    async def set_sitting(
        self, person_id: int, sitting: Window, now: datetime
    ) -> PersonRecord | None:
        """Store the hours the person mostly sits (where movement breaks go)."""
        return await self._change(
            person_id, now, sit_start=format_hhmm(sitting.start), sit_end=format_hhmm(sitting.end)
        )

    async def set_day(
        self, person_id: int, awake: Window, sitting: Window, now: datetime
    ) -> PersonRecord | None:
        """Store the waking day and the sitting hours inside it together."""
        return await self._change(
            person_id,
            now,
            wake_time=format_hhmm(awake.start),
            sleep_time=format_hhmm(awake.end),
            sit_start=format_hhmm(sitting.start),
            sit_end=format_hhmm(sitting.end),
        )

    async def finish_onboarding(self, person_id: int, now: datetime) -> PersonRecord | None:
        """Mark setup as done; nothing typed is awaited any more."""
        return await self._change(person_id, now, onboarded_at=now, **pending_columns(None))

    async def set_paused_until(
        self, person_id: int, until: datetime | None, now: datetime
    ) -> PersonRecord | None:
        """Pause every nudge until `until` (None: not paused)."""
        return await self._change(person_id, now, paused_until=until)

    async def set_budget(self, person_id: int, budget: str, now: datetime) -> PersonRecord | None:
        """Store how many messages a day the bot may start ("light", "normal", "more")."""
        return await self._change(person_id, now, nudge_budget=budget)

    async def set_ask_stool(self, person_id: int, on: bool, now: datetime) -> PersonRecord | None:
        """Turn the check-in's stool question on or off."""
        return await self._change(person_id, now, ask_stool=on)

    async def note_chat(
        self, chat_id: int, *, type_: str, title: str | None, person_id: int | None, now: datetime
    ) -> None:
        """Remember a chat the bot is in. Safe to repeat."""
        stmt = insert_for(self.session, Chat.__table__).values(
            id=chat_id,
            type=type_,
            title=title and title[:256],
            person_id=person_id,
            active=True,
            created_at=now,
            updated_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={"active": True, "title": stmt.excluded.title, "updated_at": now},
        )
        await self.session.execute(stmt)

    async def count(self) -> int:
        """Count people (for admin stats and tests)."""
        from sqlalchemy import func

        return int(await self.session.scalar(select(func.count()).select_from(Person)) or 0)

    async def recent_tips(self, person_id: int) -> list[int] | None:
        """Return the tips a consenting person saw lately (None: nothing may be stored)."""
        row = await self.session.execute(
            select(Person.consent_at, Person.recent_tips).where(Person.id == person_id)
        )
        found = row.first()
        if found is None or found.consent_at is None:
            return None
        return [i for i in found.recent_tips or [] if isinstance(i, int)]

    async def set_recent_tips(self, person_id: int, recent: list[int]) -> None:
        """Remember the tips a person saw lately."""
        await self.session.execute(
            update(Person).where(Person.id == person_id).values(recent_tips=recent)
        )

    async def deactivate(self, person_id: int, now: datetime) -> bool:
        """Mark a person unreachable (they blocked the bot); return whether it changed."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Person)
                .where(Person.id == person_id, Person.active.is_(True))
                .values(active=False, blocked_at=now, updated_at=now)
            ),
        )
        return bool(result.rowcount)

    async def reactivate(self, person_id: int, now: datetime) -> bool:
        """Mark a blocked person reachable again; return whether it changed (cheap if not)."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Person)
                .where(Person.id == person_id, Person.active.is_(False))
                .values(active=True, blocked_at=None, updated_at=now, last_seen_at=now)
            ),
        )
        return bool(result.rowcount)

    async def chat_gone(self, chat_id: int, now: datetime) -> None:
        """Remember that the bot can no longer write to a chat (kicked, blocked)."""
        await self.session.execute(
            update(Chat).where(Chat.id == chat_id).values(active=False, updated_at=now)
        )

    async def chat_migrated(self, old_id: int, new_id: int, now: datetime) -> None:
        """Record that a group became a supergroup with a new id. Safe to repeat."""
        old = await self.session.get(Chat, old_id, populate_existing=True)
        await self.session.execute(
            update(Chat).where(Chat.id == old_id).values(migrated_to=new_id, updated_at=now)
        )
        stmt = insert_for(self.session, Chat.__table__).values(
            id=new_id,
            type="supergroup",
            title=None if old is None else old.title,
            person_id=None,
            active=True,
            created_at=now,
            updated_at=now,
        )
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))

    async def migrated_targets(self, chat_ids: Iterable[int]) -> dict[int, int]:
        """Return {old id: new id} for those of the chats that were migrated."""
        wanted = sorted(set(chat_ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(Chat.id, Chat.migrated_to).where(
                Chat.id.in_(wanted), Chat.migrated_to.is_not(None)
            )
        )
        return {int(old): int(new) for old, new in rows.tuples() if new is not None}
