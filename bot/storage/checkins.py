"""Daily check-ins and the safety flags raised from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.checkin import COLUMNS, Question
from bot.domain.peg import PegItem, PegPoint, score_of
from bot.domain.safety import Flag, Tier
from bot.storage.models import CheckIn, PegScore, SafetyFlag
from bot.storage.sql import insert_for, per_dialect, run

# The check-in's hot statements, built once (see storage.sql.run).
_c = cast(Table, CheckIn.__table__)
_f = cast(Table, SafetyFlag.__table__)
_DAY = select(*_c.c).where(
    _c.c.person_id == bindparam("person_id"), _c.c.local_date == bindparam("day")
)
_ENSURE = per_dialect(
    lambda insert: insert(_c).on_conflict_do_nothing(index_elements=["person_id", "local_date"])
)
# The SET clause comes from the parameters' keys; the row's id is bound apart.
_CHANGE = update(_c).where(_c.c.id == bindparam("checkin"))
_FOLLOWED = (
    select(_f.c.id).where(_f.c.checkin_id == _c.c.id, _f.c.kind == Flag.FOLLOW_UP.value).exists()
)
# Asked on the check-in's start and end, the weekly summary and the care digest.
_ESCALATIONS = (
    select(_c.c.person_id, _c.c.id, _c.c.local_date, _c.c.escalation, _c.c.red_flags, _FOLLOWED)
    .where(
        _c.c.person_id.in_(bindparam("person_ids", expanding=True)),
        _c.c.local_date >= bindparam("since"),
        _c.c.escalation.is_not(None),
    )
    .order_by(_c.c.local_date)
)
_FLAGS_OF = select(*_f.c).where(_f.c.checkin_id == bindparam("checkin_id")).order_by(_f.c.id)
_PREVIOUS_WHERE = (
    select(_c.c.pain_where)
    .where(
        _c.c.person_id == bindparam("person_id"),
        _c.c.local_date < bindparam("before"),
        _c.c.pain_where.is_not(None),
        _c.c.pain_where != "none",
    )
    .order_by(_c.c.local_date.desc())
    .limit(1)
)


@dataclass(frozen=True)
class CheckInRecord:
    """One day's check-in, as plain values."""

    id: int
    person_id: int
    local_date: date
    pain: int | None
    pain_where: str | None
    stress: int | None
    mood: int | None
    sleep: str | None
    bloating: str | None
    stool: int | None
    note: str | None
    skipped: list[str]
    red_flags_asked: bool
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    gut: str | None = None
    red_flags: tuple[str, ...] = ()
    escalation: str | None = None


def to_record(row: CheckIn | Row[Any]) -> CheckInRecord:
    """Copy a row (an ORM object or a row of the table) into a plain record."""
    return CheckInRecord(
        id=row.id,
        person_id=row.person_id,
        local_date=row.local_date,
        pain=row.pain,
        pain_where=row.pain_where,
        stress=row.stress,
        mood=row.mood,
        sleep=row.sleep,
        bloating=row.bloating,
        stool=row.stool,
        note=row.note,
        skipped=[str(k) for k in row.skipped or []],
        red_flags_asked=row.red_flags_asked,
        started_at=row.started_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        gut=row.gut,
        red_flags=tuple(str(k) for k in row.red_flags or []),
        escalation=row.escalation,
    )


@dataclass(frozen=True)
class FlagRecord:
    """A health concern the bot raised with a person."""

    id: int
    person_id: int
    checkin_id: int | None
    kind: str
    detail: str | None
    created_at: datetime
    wording: str | None = None


@dataclass(frozen=True)
class EscalatedDay:
    """A day whose red-flag answers asked for care, and whether it was followed up."""

    person_id: int
    checkin_id: int
    local_date: date
    tier: str
    signs: tuple[str, ...]
    followed_up: bool


def _flag_record(row: SafetyFlag | Row[Any]) -> FlagRecord:
    """Copy a flag row into a plain record."""
    return FlagRecord(
        row.id, row.person_id, row.checkin_id, row.kind, row.detail, row.created_at, row.wording
    )


class CheckIns:
    """Repository of daily check-ins."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, person_id: int, day: date) -> CheckInRecord | None:
        """Return a person's check-in of one local day, or None."""
        row = (await run(self.session, _DAY, {"person_id": person_id, "day": day})).first()
        return None if row is None else to_record(row)

    async def ensure(self, person_id: int, day: date, now: datetime) -> CheckInRecord:
        """Return the day's check-in, creating an empty one first if needed. Safe to repeat."""
        # Most calls find the row: read first, write only when it is missing.
        record = await self.get(person_id, day)
        if record is None:
            values = {
                "person_id": person_id,
                "local_date": day,
                "skipped": [],
                "red_flags_asked": False,
                "started_at": now,
                "updated_at": now,
            }
            await run(self.session, _ENSURE(self.session), values)
            record = await self.get(person_id, day)
        assert record is not None
        return record

    async def change(self, checkin_id: int, now: datetime, **values: Any) -> None:
        """Set some columns of one check-in (for seeding; services use the intents below)."""
        await run(self.session, _CHANGE, {"checkin": checkin_id, "updated_at": now, **values})

    async def answer(
        self,
        checkin_id: int,
        question: Question,
        value: int | str | None,
        skipped: Sequence[str],
        now: datetime,
    ) -> None:
        """Store one question's answer (None keeps the old one) and the questions skipped."""
        values: dict[str, Any] = {} if value is None else {COLUMNS[question]: value}
        await self.change(checkin_id, now, skipped=list(skipped), **values)

    async def tick_signs(self, checkin_id: int, signs: Sequence[str], now: datetime) -> None:
        """Keep the signs ticked so far on the red-flag list (nothing is decided yet)."""
        await self.change(checkin_id, now, red_flags=list(signs))

    async def answer_red_flags(
        self,
        checkin_id: int,
        signs: Sequence[str],
        tier: Tier | None,
        skipped: Sequence[str],
        now: datetime,
    ) -> None:
        """Close the red-flag list: the signs it was answered with and the care they ask for."""
        await self.change(
            checkin_id,
            now,
            red_flags_asked=True,
            red_flags=list(signs),
            escalation=None if tier is None else tier.value,
            skipped=list(skipped),
        )

    async def skip_red_flags(self, checkin_id: int, skipped: Sequence[str], now: datetime) -> None:
        """Close the red-flag list unanswered ("skip" typed; the list has no Skip button)."""
        await self.change(checkin_id, now, red_flags_asked=True, skipped=list(skipped))

    async def complete(self, checkin_id: int, now: datetime) -> None:
        """Mark the day's check-in finished."""
        await self.change(checkin_id, now, completed_at=now)

    async def between(self, person_id: int, first: date, last: date) -> list[CheckInRecord]:
        """Return a person's check-ins from `first` to `last` (both included), oldest first."""
        rows = await self.session.scalars(
            select(CheckIn)
            .where(
                CheckIn.person_id == person_id,
                CheckIn.local_date >= first,
                CheckIn.local_date <= last,
            )
            .order_by(CheckIn.local_date)
        )
        return [to_record(r) for r in rows]

    async def add_flag(
        self,
        person_id: int,
        checkin_id: int | None,
        kind: str,
        detail: str | None,
        now: datetime,
        *,
        per_detail: bool = False,
        wording: str | None = None,
    ) -> bool:
        """Record a flag once per check-in and kind (and detail, if asked); return if new."""
        same = select(SafetyFlag.id).where(
            SafetyFlag.person_id == person_id,
            SafetyFlag.checkin_id == checkin_id,
            SafetyFlag.kind == kind,
        )
        if per_detail:
            same = same.where(
                SafetyFlag.detail == detail if detail is not None else SafetyFlag.detail.is_(None)
            )
        existing = await self.session.scalar(same.limit(1))
        if existing is not None:
            return False
        self.session.add(
            SafetyFlag(
                person_id=person_id,
                checkin_id=checkin_id,
                kind=kind[:24],
                detail=detail and detail[:200],
                wording=wording,
                created_at=now,
            )
        )
        await self.session.flush()
        return True

    async def flags(self, person_id: int) -> list[FlagRecord]:
        """Return every flag raised with a person, oldest first."""
        rows = await self.session.scalars(
            select(SafetyFlag).where(SafetyFlag.person_id == person_id).order_by(SafetyFlag.id)
        )
        return [
            FlagRecord(r.id, r.person_id, r.checkin_id, r.kind, r.detail, r.created_at, r.wording)
            for r in rows
        ]

    async def flags_of(self, checkin_id: int) -> list[FlagRecord]:
        """Return the flags raised with one check-in, oldest first."""
        rows = await run(self.session, _FLAGS_OF, {"checkin_id": checkin_id})
        return [_flag_record(r) for r in rows]

    async def previous_where(self, person_id: int, before: date) -> str | None:
        """Return where the pain was at the person's last check-in before a day (None if none)."""
        params = {"person_id": person_id, "before": before}
        where: str | None = (await run(self.session, _PREVIOUS_WHERE, params)).scalar()
        return where

    async def escalations(self, person_ids: Sequence[int], since: date) -> list[EscalatedDay]:
        """Return the escalated days since a local date of these people, oldest first."""
        if not person_ids:
            return []
        params = {"person_ids": list(person_ids), "since": since}
        rows = await run(self.session, _ESCALATIONS, params)
        return [
            EscalatedDay(pid, cid, day, str(tier), tuple(str(s) for s in signs or []), bool(done))
            for pid, cid, day, tier, signs, done in rows
        ]

    # --- The weekly PEG-3 ------------------------------------------------------------------------

    async def peg_answers(self, person_id: int, week: str) -> dict[PegItem, int]:
        """Return the PEG items answered in one ISO week."""
        row = await self.session.scalar(
            select(PegScore)
            .where(PegScore.person_id == person_id, PegScore.week == week)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return {}
        values = {
            PegItem.PAIN: row.pain,
            PegItem.ENJOYMENT: row.enjoyment,
            PegItem.ACTIVITY: row.activity,
        }
        return {item: v for item, v in values.items() if v is not None}

    async def answer_peg(
        self, person_id: int, week: str, day: date, item: PegItem, value: int, now: datetime
    ) -> dict[PegItem, int]:
        """Store one PEG answer of the week (replacing an earlier one); score it when complete."""
        column = _PEG_COLUMNS[item]
        stmt = (
            insert_for(self.session, PegScore.__table__)
            .values(person_id=person_id, week=week, local_date=day, updated_at=now)
            .values({column: value})
            .on_conflict_do_update(
                index_elements=["person_id", "week"],
                set_={column: value, "local_date": day, "updated_at": now},
            )
        )
        await self.session.execute(stmt)
        answers = await self.peg_answers(person_id, week)
        mean = score_of(answers)
        await self.session.execute(
            update(PegScore)
            .where(PegScore.person_id == person_id, PegScore.week == week)
            .values(score=mean)
        )
        return answers

    async def peg_scores(self, person_id: int) -> list[PegPoint]:
        """Return every complete weekly score of a person, oldest week first."""
        rows = await self.session.execute(
            select(PegScore.week, PegScore.local_date, PegScore.score)
            .where(PegScore.person_id == person_id, PegScore.score.is_not(None))
            .order_by(PegScore.week)
        )
        return [PegPoint(w, d, float(s)) for w, d, s in rows]


_PEG_COLUMNS: dict[PegItem, str] = {
    PegItem.PAIN: "pain",
    PegItem.ENJOYMENT: "enjoyment",
    PegItem.ACTIVITY: "activity",
}
