"""Several instances migrating an empty PostgreSQL database at once all succeed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from bot.storage.migrate import alembic_config
from tests import dbs

INSTANCES = 4


@pytest.fixture
def empty_pg() -> Iterator[str]:
    admin = dbs.postgres_admin_url()
    if admin is None:
        pytest.skip(dbs.SKIP_PG)
    url = dbs.create_postgres_database(admin)
    try:
        yield url
    finally:
        dbs.drop_postgres_database(admin, url)


async def _versions(url: str) -> list[str]:
    conn = await asyncpg.connect(dbs._asyncpg_dsn(url))
    try:
        rows = await conn.fetch("SELECT version_num FROM alembic_version")
        return [r["version_num"] for r in rows]
    finally:
        await conn.close()


def test_four_instances_migrate_an_empty_database_at_once(empty_pg: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": empty_pg, "LOG_LEVEL": "WARNING"}
    env.pop("BOT_TOKEN", None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "migrate"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(INSTANCES)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr
    head = ScriptDirectory.from_config(alembic_config(empty_pg)).get_current_head()
    assert asyncio.run(_versions(empty_pg)) == [head]
