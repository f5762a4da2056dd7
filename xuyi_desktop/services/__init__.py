"""Use cases: one function per thing a clerk does, each one transaction. No Qt here; UI and CLI call these."""
