"""Queries by record kind: one module each (ratings, commitments, …); services ask these instead of building
`select()` statements themselves."""
