"""Turn a claimed outbox row into what is sent: its intent, rendered by the Telegram layer.

The registry (kind -> renderer) is bot.telegram.renderers.REGISTRY, the one the handlers use
too. The sender is the Telegram edge of the outbox, so it depends on the Telegram layer
directly rather than on a registry filled in at start-up: a Sender built anywhere (a test,
the crash harness, a bench) renders every kind, and nothing has to be installed first.
"""

from __future__ import annotations

from bot import i18n
from bot.domain.intents import decode
from bot.storage.deliveries import DeliveryRecord
from bot.storage.uow import Database
from bot.telegram.renderers import REGISTRY, Outgoing, Registry

__all__ = ["Outgoing", "UnknownKind", "render"]


class UnknownKind(ValueError):
    """A queued row of a kind no renderer knows (written by a newer version of the bot)."""


async def render(db: Database, record: DeliveryRecord, registry: Registry = REGISTRY) -> Outgoing:
    """Render a claimed row at send time: today's wording, the person's language, fresh data."""
    intent = decode(record.payload)
    renderer = registry.get(intent.kind)
    if renderer is None:
        raise UnknownKind(intent.kind)
    with i18n.using(record.language):
        return await renderer(db, record, intent.params)
