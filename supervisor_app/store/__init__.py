"""Persistence: typed ORM, engine setup per dialect, migrations. No Qt here."""
