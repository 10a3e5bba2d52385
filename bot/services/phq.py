"""The optional PHQ-4: the one-time offer, the opt-in, and a round every two weeks.

Results are typed (`PhqOffer`, `PhqQuestion`, `PhqDone`); the Telegram layer words them.
Nothing is stored unless the person consented at onboarding and opted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.emergency import support_line
from bot.domain.phq import Item, Scores, due, next_item, offer_due, parse_score, scores_of
from bot.services.local_day import ready_person, today_of
from bot.storage.phq import PhqRound
from bot.storage.uow import UnitOfWork


class StaleRound(Exception):
    """A PHQ-4 button of another day's round, or of an item already answered."""


class NoConsent(Exception):
    """The person never gave the onboarding consent: nothing of the PHQ-4 is stored."""


@dataclass(frozen=True)
class PhqOffer:
    """The one-time question: "Every two weeks I can ask four short questions. Want that?" """


@dataclass(frozen=True)
class PhqQuestion:
    """The next item of today's round."""

    day: date
    item: Item
    number: int  # 1-4, for "1/4"


@dataclass(frozen=True)
class PhqDone:
    """A finished round: the pair sums and, at the cut-off, the country's support line."""

    day: date
    scores: Scores
    line: str | None


PhqResult = PhqOffer | PhqQuestion | PhqDone


def _step(found: PhqRound, line: str | None) -> PhqQuestion | PhqDone:
    item = next_item(found.answers)
    if item is None:
        assert found.phq2 is not None and found.gad2 is not None
        return PhqDone(found.local_date, Scores(found.phq2, found.gad2), line)
    return PhqQuestion(found.local_date, item, list(Item).index(item) + 1)


async def after_checkin(uow: UnitOfWork, person_id: int, now: datetime) -> PhqResult | None:
    """After today's check-in: the one-time offer, today's round if due, or nothing."""
    async with uow:
        person, zone = await ready_person(uow, person_id)
        if not person.consented:
            return None
        today = today_of(zone, now)
        choice = await uow.phq.choice(person_id)
        if not choice.on:
            if not offer_due(await uow.phq.completed_days(person_id), choice.offered, choice.on):
                return None
            await uow.phq.mark_offered(person_id, now)
            await uow.commit()
            return PhqOffer()
        latest = await uow.phq.latest(person_id)
        if latest is not None and latest.local_date == today and latest.completed_at is not None:
            return None
        if latest is not None and latest.local_date != today and not due(latest.local_date, today):
            return None
        found = await uow.phq.ensure(person_id, today, now)
        await uow.commit()
        return _step(found, None)


async def choose(uow: UnitOfWork, person_id: int, on: bool, now: datetime) -> bool:
    """Turn the PHQ-4 on or off; return the choice. Raises NoConsent to turn it on without."""
    async with uow:
        person, _ = await ready_person(uow, person_id)
        if on and not person.consented:
            raise NoConsent
        await uow.phq.set_on(person_id, on, now)
        await uow.commit()
    return on


async def is_on(uow: UnitOfWork, person_id: int) -> bool:
    """Tell whether the person opted in."""
    async with uow:
        return (await uow.phq.choice(person_id)).on


async def answer(
    uow: UnitOfWork, person_id: int, day: date, item: str, raw: str, now: datetime
) -> PhqQuestion | PhqDone:
    """Store one item of today's round; return the next item or the finished round.

    Raises StaleRound for another day's round, an item out of turn or a round turned off.
    """
    value = parse_score(raw)
    async with uow:
        person, zone = await ready_person(uow, person_id)
        if day != today_of(zone, now) or not person.consented:
            raise StaleRound
        if not (await uow.phq.choice(person_id)).on:
            raise StaleRound
        found = await uow.phq.get(person_id, day)
        if found is None or next_item(found.answers) != item:
            raise StaleRound
        answers = list(found.answers)
        answers[list(Item).index(Item(item))] = value
        await uow.phq.answer(found.id, Item(item), value)
        line: str | None = None
        if next_item(answers) is None:
            scores = scores_of(answers)
            await uow.phq.complete(found.id, scores, now)
            line = support_line(zone.key) if scores.suggest_care else None
        found = await uow.phq.get(person_id, day)
        assert found is not None
        await uow.commit()
        return _step(found, line)
