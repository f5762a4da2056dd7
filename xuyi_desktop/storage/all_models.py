"""Every module that declares tables, imported together so Alembic and the tests see the whole schema.

A feature that keeps its models in a module of its own (storage/models_<feature>.py) adds one line here.
"""

from xuyi_desktop.storage import (
    models,  # noqa: F401
    models_commitments,  # noqa: F401
    models_credit,  # noqa: F401
    models_dictionaries,  # noqa: F401
    models_fleet,  # noqa: F401
    models_plan,  # noqa: F401
    models_security,  # noqa: F401
    models_sgs,  # noqa: F401
    models_sync,  # noqa: F401
    models_tender,  # noqa: F401
)
from xuyi_desktop.storage.models import Base

__all__ = ["Base"]
