"""services/bulk_gc.py: bulk work raises the collector's first-generation threshold, and the last of several callers
at once restores it (an import and a sync package may run together on worker threads)."""

from __future__ import annotations

import gc
import threading

from xuyi_desktop.services import imports
from xuyi_desktop.services.bulk_gc import RAISED_THRESHOLD, fewer_gc_passes


def test_the_threshold_is_raised_while_bulk_work_runs_and_restored_after_by_the_last_caller() -> None:
    before = gc.get_threshold()
    first_in, second_done, seen = threading.Event(), threading.Event(), {}

    @fewer_gc_passes
    def long_import() -> None:
        first_in.set()
        second_done.wait(5)
        seen["first, after the second ended"] = gc.get_threshold()[0]

    @fewer_gc_passes
    def package() -> None:
        seen["second"] = gc.get_threshold()[0]

    worker = threading.Thread(target=long_import)
    worker.start()
    first_in.wait(5)
    package()
    second_done.set()
    worker.join()
    assert seen == {"second": max(before[0], RAISED_THRESHOLD), "first, after the second ended": max(before[0], RAISED_THRESHOLD)}
    assert gc.get_threshold() == before


def test_a_failing_bulk_call_restores_the_threshold() -> None:
    before = gc.get_threshold()

    @fewer_gc_passes
    def broken() -> None:
        raise ValueError("台账损坏")

    try:
        broken()
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_every_import_of_the_pipeline_runs_with_fewer_passes() -> None:
    assert getattr(imports.run_import, "__wrapped__", None) is not None
