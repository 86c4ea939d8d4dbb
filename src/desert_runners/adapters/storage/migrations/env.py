"""Alembic environment: always run on a connection handed over by the Store."""

from alembic import context

from desert_runners.adapters.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
