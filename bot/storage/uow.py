"""The unit of work: one transaction, the repositories that share it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.broadcasts import Broadcasts
from bot.storage.challenges import Challenges
from bot.storage.checkins import CheckIns
from bot.storage.deliveries import Deliveries
from bot.storage.delivery_days import DeliveryDays
from bot.storage.due import DueReminders
from bot.storage.engine import (
    READ_ONLY,
    SINGLE_READ_POSTGRES,
    SINGLE_READ_SQLITE,
    WRITE_AHEAD,
    create_engine,
    session_factory,
)
from bot.storage.habit_logs import HabitLogs
from bot.storage.inbox import Inbox
from bot.storage.pauses import Pauses
from bot.storage.people import People
from bot.storage.person_data import PersonData
from bot.storage.phq import PhqRounds
from bot.storage.reminders import Reminders


class UnitOfWork:
    """One transaction; leaving the block without commit() rolls back."""

    session: AsyncSession
    people: People
    pauses: Pauses
    reminders: Reminders
    habit_logs: HabitLogs
    checkins: CheckIns
    person_data: PersonData
    broadcasts: Broadcasts
    deliveries: Deliveries
    delivery_days: DeliveryDays
    due: DueReminders
    challenges: Challenges
    inbox: Inbox
    phq: PhqRounds

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self.read_only = read_only

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.people = People(self.session)
        self.pauses = Pauses(self.session)
        self.reminders = Reminders(self.session)
        self.habit_logs = HabitLogs(self.session)
        self.checkins = CheckIns(self.session)
        self.person_data = PersonData(self.session)
        self.broadcasts = Broadcasts(self.session)
        self.deliveries = Deliveries(self.session)
        self.delivery_days = DeliveryDays(self.session)
        self.due = DueReminders(self.session)
        self.challenges = Challenges(self.session)
        self.inbox = Inbox(self.session)
        self.phq = PhqRounds(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed, in one trip instead of two.
        await self.session.close()

    async def commit(self) -> None:
        """Make the work durable."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Throw the work away."""
        await self.session.rollback()


class Database:
    """The engine and a factory of units of work, shared by the whole process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url)
        self._sessions = session_factory(self.engine)
        # On SQLite a plain read (BEGIN DEFERRED) need not queue behind the writers.
        self._reads = session_factory(self.engine.execution_options(**READ_ONLY))
        single = SINGLE_READ_SQLITE if self.dialect == "sqlite" else SINGLE_READ_POSTGRES
        self._single_reads = session_factory(self.engine.execution_options(**single))
        self._writes_ahead = session_factory(self.engine.execution_options(**WRITE_AHEAD))

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        """Start a new unit of work (one per use case; never share one between tasks).

        `read_only` is a promise that it only reads: on SQLite it then reads alongside a
        writer instead of waiting for the write lock (a write in it may fail as locked).
        """
        return UnitOfWork(self._reads if read_only else self._sessions, read_only=read_only)

    def uow_ahead(self) -> UnitOfWork:
        """Start a unit of work that writes before this process's other waiting writers.

        For the inbox: a webhook's answer waits for its write, so it must not queue behind
        the handlers' transactions (SQLite has one write lock; elsewhere this is a plain one).
        """
        return UnitOfWork(self._writes_ahead)

    def single_read(self) -> UnitOfWork:
        """Start a unit of work for one reading statement, run without a transaction.

        Each statement sees the database as it is when it runs; two statements in it could see
        different moments, so it is for one. Writing in it is a mistake (nothing is committed
        on SQLite; on PostgreSQL each statement would commit on its own).
        """
        return UnitOfWork(self._single_reads, read_only=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> None:
        """Fail fast if the database cannot be reached."""
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
