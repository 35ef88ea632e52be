"""Persistence: SQLAlchemy models, repositories, Alembic migrations and the unit of work.

SQLite (a file) is the embedded default; PostgreSQL is production (``NEMT_DATABASE_URL``).
"""
