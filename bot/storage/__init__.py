"""Persistence: SQLAlchemy models, engine, repositories and the unit of work."""
