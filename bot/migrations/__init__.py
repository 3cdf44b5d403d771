"""Alembic migrations of the audit store, run programmatically by ``bot.store_db.migrate`` (there is
no alembic.ini). A new revision: copy ``versions/0001_initial.py``'s header into
``versions/NNNN_what.py``, set ``revision``/``down_revision``, write ``upgrade()``, and update
``bot/store_models.py`` to match -- ``tests/test_store.py`` fails when the two differ."""
