"""Run Alembic migrations from code (`nudgebot migrate`, start-up, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

# pg_advisory_xact_lock key taken around every upgrade and downgrade: "nudge" + "migr" as
# digits, so several instances started at once on an empty database migrate one at a time.
MIGRATE_LOCK_KEY = 0x6E756467_6D696772


def migrations_dir() -> Path:
    """Find migrations/: beside the package in a checkout, else in the working directory."""
    beside = Path(__file__).resolve().parents[2] / "migrations"
    if (beside / "env.py").exists():
        return beside
    here = Path.cwd() / "migrations"
    if (here / "env.py").exists():
        return here
    raise FileNotFoundError("migrations/ not found: run from the project directory")


def alembic_config(url: str) -> Config:
    """Build an Alembic config for a database URL without needing alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Alembic's ini interpolation treats % specially.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database to `revision` (call outside a running event loop)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database to `revision`."""
    command.downgrade(alembic_config(url), revision)
