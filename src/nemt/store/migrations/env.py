"""Alembic environment: runs migrations on the connection handed over by ``nemt.store.migrate``."""

from alembic import context

from nemt.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("offline migrations are not supported; run `nemt db upgrade`")
run_migrations_online()
