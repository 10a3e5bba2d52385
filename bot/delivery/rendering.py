"""Turn a claimed outbox row into what is sent: text, buttons, a document or an edit."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile

from bot.services import summary
from bot.storage.deliveries import DeliveryRecord
from bot.storage.uow import Database


@dataclass(frozen=True)
class Outgoing:
    """One message ready for the Bot API (or an edit of an earlier one)."""

    text: str | None
    parse_mode: str | None = None
    markup: InlineKeyboardMarkup | None = None
    quiet: bool | None = None
    document: InputFile | None = None
    edit: int | None = None


def keyboard(payload: dict[str, Any], delivery_id: int) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard of a payload; "{id}" in button data becomes the delivery id."""
    rows = payload.get("buttons")
    if not rows:
        return None
    built = []
    for row in rows:
        buttons = []
        for button in row:
            if "url" in button:
                buttons.append(InlineKeyboardButton(button["text"], url=button["url"]))
            else:
                data = str(button["data"]).replace("{id}", str(delivery_id))
                buttons.append(InlineKeyboardButton(button["text"], callback_data=data))
        built.append(buttons)
    return InlineKeyboardMarkup(built)


def document_of(payload: dict[str, Any]) -> InputFile | None:
    """Return the payload's document as an upload, if it has one."""
    doc = payload.get("document")
    if not doc:
        return None
    filename = doc.get("filename")
    if "base64" in doc:
        return InputFile(base64.b64decode(doc["base64"]), filename=filename)
    path = Path(doc["path"])
    return InputFile(path.read_bytes(), filename=filename or path.name)


async def render(db: Database, record: DeliveryRecord) -> Outgoing:
    """Render a claimed row at send time (an intent is built from fresh data now)."""
    payload = record.payload
    if summary.is_intent(payload):
        payload = await summary.build(db, record.person_id, payload)
    text = payload.get("text")
    edit = payload.get("edit")
    return Outgoing(
        text=text if isinstance(text, str) else None,
        parse_mode=payload.get("parse_mode"),
        markup=keyboard(payload, record.id),
        quiet=payload.get("disable_notification"),
        document=document_of(payload),
        edit=edit if isinstance(edit, int) else None,
    )
