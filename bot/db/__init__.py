"""Persistence: SQLModel tables, repositories scoped to one workspace, the unit of work, migrations."""
