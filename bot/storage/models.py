"""Tables. Every timestamp is UTC and timezone-aware; local times are stored as "HH:MM"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine (SQLite forgets the zone, so put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (Alembic batch mode needs them)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Person(Base):
    """A Telegram user who talked to the bot; id is their Telegram user id."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    wake_time: Mapped[str | None] = mapped_column(String(5))
    sleep_time: Mapped[str | None] = mapped_column(String(5))
    sit_start: Mapped[str | None] = mapped_column(String(5))
    sit_end: Mapped[str | None] = mapped_column(String(5))
    consent_at: Mapped[datetime | None]
    onboarded_at: Mapped[datetime | None]
    # What the next typed message answers (bot.domain.pending.PendingInput, one column each);
    # the dialog state lives here, so a restart mid-question still routes the answer.
    pending_feature: Mapped[str | None] = mapped_column(String(16))
    pending_step: Mapped[str | None] = mapped_column(String(16))
    pending_day: Mapped[date | None] = mapped_column(Date)
    pending_habit: Mapped[str | None] = mapped_column(String(16))
    pending_asked_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    recent_tips: Mapped[list[Any]] = mapped_column(default=list)
    nudge_budget: Mapped[str | None] = mapped_column(String(8))
    # Whether tea and coffee count toward water (the person opts in).
    hot_drinks_count: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The check-in asks the stool form only for people who turned it on in /settings.
    ask_stool: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The PHQ-4 every two weeks: off until the person opts in; offered once after two weeks.
    phq_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    phq_offered_at: Mapped[datetime | None]


class Chat(Base):
    """A chat the bot is in: a person's private chat or a group."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(256))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Reminder(Base):
    """One habit schedule of one person: a wall-clock rule and the next UTC time it fires."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("person_id", "habit"),
        Index("ix_reminders_due", "next_fire_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    habit: Mapped[str] = mapped_column(String(16))
    rule: Mapped[dict[str, Any]]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # NULL while disabled, paused without end, or the person is inactive: never due.
    next_fire_at: Mapped[datetime | None]
    ignored_in_row: Mapped[int] = mapped_column(Integer, default=0)
    asked_less_at: Mapped[datetime | None]
    recent_texts: Mapped[list[Any]] = mapped_column(default=list)
    # How far nudges are thinned out after going unanswered (0: the full rhythm); each level
    # doubles the spacing, and a response brings one level back.
    backoff: Mapped[int] = mapped_column(Integer, default=0)
    # The person asked to keep the full rhythm: never back off this reminder.
    steady: Mapped[bool] = mapped_column(Boolean, default=False)
    # Timed to the person: the rule they had before the bot moved its times toward when they
    # act (None: nothing moved), whether they pinned their own time, and when it last looked.
    own_rule: Mapped[dict[str, Any] | None]
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    learned_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    # The person's own daily goal; NULL means the goal follows the schedule.
    goal: Mapped[int | None] = mapped_column(Integer)


class TimeMove(Base):
    """A nudge time the bot moved toward when the person acts, so it can be shown and undone."""

    __tablename__ = "time_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    habit: Mapped[str] = mapped_column(String(16))
    from_times: Mapped[str] = mapped_column(String(64))
    to_times: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class HabitLog(Base):
    """One time a person did a habit."""

    __tablename__ = "habit_logs"
    __table_args__ = (
        Index("ix_habit_logs_person_day", "person_id", "local_date"),
        # A nudge's Done button logs at most once however often it is pressed.
        UniqueConstraint("delivery_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    habit: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    local_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    amount: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(200))
    # The person's own words, as they wrote them.
    said: Mapped[str | None] = mapped_column(String(200))
    # Rows of one multi-glass entry point at its first row, so Undo removes exactly that entry.
    entry_of: Mapped[int | None] = mapped_column(Integer, index=True)


class DaySkip(Base):
    """A habit the person chose to skip for one local day (does not break a streak)."""

    __tablename__ = "day_skips"
    __table_args__ = (UniqueConstraint("person_id", "habit", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    habit: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class Delivery(Base):
    """The outbox: a message decided on, waiting to be sent, or the record of how it went."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_pending", "status", "send_after"),
        Index("ix_deliveries_person", "person_id"),
        # Sent nudges nobody answered: their keyboards are live until retired (a small set).
        Index(
            "ix_deliveries_live",
            "sent_at",
            sqlite_where=text("response IS NULL AND status = 'sent'"),
            postgresql_where=text("response IS NULL AND status = 'sent'"),
        ),
        # One delivery per reminder occurrence, even if two ticks race on it.
        UniqueConstraint("reminder_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    habit: Mapped[str | None] = mapped_column(String(16))
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime]
    send_after: Mapped[datetime]
    # pending -> sending -> sent | failed; missed (too late); cancelled (superseded)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    # done | snoozed | skipped | less | more: what the person did with it
    response: Mapped[str | None] = mapped_column(String(12))
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]


class DeliveryDay(Base):
    """How many outbox rows finished each UTC day, by status (kept as they finish).

    The outbox forgets old rows (OUTBOX_RETENTION_DAYS); these counts stay, and /stats reads
    them instead of scanning the outbox.
    """

    __tablename__ = "delivery_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class InboxUpdate(Base):
    """The inbox: every update as Telegram sent it, stored before it is acknowledged."""

    __tablename__ = "inbox"
    __table_args__ = (
        # Unhandled rows in arrival order; handled ones by age for pruning.
        Index("ix_inbox_pending", "handled_at", "update_id"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The chat whose updates must be handled in order (None for updates without a chat).
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Who sent it (no foreign key: they may not be a person yet); /export and /delete find
    # their updates by it, as by every other table's person_id.
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    # Which instance is handling it, until when (PostgreSQL instances share the inbox).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]


class CheckIn(Base):
    """A person's daily check-in; the next question is the first empty answer."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("person_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    pain: Mapped[int | None] = mapped_column(Integer)
    pain_where: Mapped[str | None] = mapped_column(String(16))
    stress: Mapped[int | None] = mapped_column(Integer)
    mood: Mapped[int | None] = mapped_column(Integer)
    sleep: Mapped[str | None] = mapped_column(String(8))
    bloating: Mapped[str | None] = mapped_column(String(8))  # before issue 14; kept for history
    gut: Mapped[str | None] = mapped_column(String(16))
    stool: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    skipped: Mapped[list[Any]] = mapped_column(default=list)
    red_flags_asked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Signs ticked on the red-flag list so far (the list is multi-select until Done).
    red_flags: Mapped[list[Any] | None] = mapped_column()
    # "emergency" or "soon" once the red-flag answers asked for care that day.
    escalation: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class PhqAnswer(Base):
    """One PHQ-4 round: the four items as answered (0-3) and the two pair sums once done."""

    __tablename__ = "phq_answers"
    __table_args__ = (UniqueConstraint("person_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    interest: Mapped[int | None] = mapped_column(Integer)
    down: Mapped[int | None] = mapped_column(Integer)
    nervous: Mapped[int | None] = mapped_column(Integer)
    worry: Mapped[int | None] = mapped_column(Integer)
    phq2: Mapped[int | None] = mapped_column(Integer)
    gad2: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class SafetyFlag(Base):
    """A record that the bot raised a health concern with a person."""

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(200))
    # The words the person saw (the sign's wording, the question and the answer chosen).
    wording: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Broadcast(Base):
    """A message an admin sends to everyone; its deliveries carry its id."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    # draft -> queued (rows written to the outbox) | discarded
    status: Mapped[str] = mapped_column(String(12), default="draft")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]


class Challenge(Base):
    """A group's wellness challenge: a habit, a daily target, a run of local days."""

    __tablename__ = "challenges"
    __table_args__ = (
        Index("ix_challenges_chat", "chat_id", "status"),
        Index("ix_challenges_due", "next_post_at"),
        # One running challenge per group, even if two admins press Start at once.
        Index(
            "uq_challenges_one_active",
            "chat_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    habit: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(64))
    days: Mapped[int] = mapped_column(Integer)
    daily_target: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    zone: Mapped[str] = mapped_column(String(64))
    # Not a foreign key: the starter erasing their data must not take the group's challenge.
    created_by: Mapped[int] = mapped_column(BigInteger)
    # active -> finished | stopped
    status: Mapped[str] = mapped_column(String(12), default="active")
    # The next group post (daily standings, then the final one); NULL once over.
    next_post_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ChallengeMember(Base):
    """A person who joined a group's challenge."""

    __tablename__ = "challenge_members"
    __table_args__ = (UniqueConstraint("challenge_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime]


class Pause(Base):
    """A stretch of time a person paused nudges; its days do not break a streak."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    # The planned end; /resume moves it to the moment of resuming.
    ends_at: Mapped[datetime]


class PegScore(Base):
    """A person's weekly PEG-3 answers (0-10 each) and their mean, one row per ISO week."""

    __tablename__ = "peg_scores"
    __table_args__ = (UniqueConstraint("person_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. "2026-W49"
    local_date: Mapped[date] = mapped_column(Date)  # the day it was (last) answered
    pain: Mapped[int | None] = mapped_column(Integer)
    enjoyment: Mapped[int | None] = mapped_column(Integer)
    activity: Mapped[int | None] = mapped_column(Integer)
    # The mean of the three, to one decimal; NULL until all three are answered.
    score: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime]
