"""A person's own data: export all of it, or erase all of it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.storage.person_data import TableRows
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Export:
    """The files that hold everything stored about a person."""

    zip_name: str
    zip_bytes: bytes
    json_name: str
    json_bytes: bytes
    rows: int


def _plain(value: Any) -> Any:
    """Turn a column value into something JSON can hold."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    """Turn a column value into one CSV cell (JSON for lists and dicts, empty for NULL)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(_plain(value))


def _csv(table: TableRows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(row.get(c)) for c in table.columns])
    return out.getvalue()


def build_export(person_id: int, tables: list[TableRows], now: datetime) -> Export:
    """Pack a person's rows as one CSV per table in a zip, and as one JSON document."""
    stamp = f"{now:%Y%m%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.name}.csv", _csv(table))
    document = {
        "person_id": person_id,
        "exported_at": now.isoformat(),
        "tables": {t.name: [{k: _plain(v) for k, v in r.items()} for r in t.rows] for t in tables},
    }
    return Export(
        zip_name=f"nudgebot-{person_id}-{stamp}.zip",
        zip_bytes=buffer.getvalue(),
        json_name=f"nudgebot-{person_id}-{stamp}.json",
        json_bytes=json.dumps(document, ensure_ascii=False, indent=1).encode(),
        rows=sum(len(t.rows) for t in tables),
    )


async def export(uow: UnitOfWork, person_id: int, now: datetime) -> Export | None:
    """Return everything stored about a person as files, or None when nothing is stored."""
    async with uow:
        tables = await uow.person_data.dump(person_id)
    if not any(t.rows for t in tables):
        return None
    # Packing thousands of rows into a zip is CPU work: keep it off the event loop.
    return await asyncio.to_thread(build_export, person_id, tables, now)


async def has_data(uow: UnitOfWork, person_id: int) -> bool:
    """Tell whether anything at all is stored about a person."""
    async with uow:
        return await uow.person_data.count(person_id) > 0


async def erase(uow: UnitOfWork, person_id: int) -> int:
    """Delete every row about a person (which also stops every message); return how many."""
    async with uow:
        removed = await uow.person_data.erase(person_id)
        await uow.commit()
    return removed
