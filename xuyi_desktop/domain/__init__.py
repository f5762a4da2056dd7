"""Pure domain rules: no Qt, no SQLAlchemy, testable in microseconds."""
