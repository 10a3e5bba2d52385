# nudgebot: one container, SQLite on a volume by default (set DATABASE_URL for PostgreSQL).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/nudgebot.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install .

RUN useradd --create-home --uid 10001 nudgebot \
    && mkdir -p /data && chown nudgebot:nudgebot /data
USER nudgebot
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_URL set); long polling needs no open port.
EXPOSE 8443

# `run` upgrades the schema first (migrations/ is found in the working directory, /app).
CMD ["nudgebot", "run"]
