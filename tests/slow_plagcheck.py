"""The plagcheck CLI with one stage slowed down, for tests that must catch a process mid-job.

    SLOW_STAGE=worker SLOW_SECONDS=1.5 python -m tests.slow_plagcheck worker --db c.db

``SLOW_STAGE`` is ``worker`` (each job sleeps once its file is extracted, before it is checked)
or ``reindex`` (a full reindex sleeps before each document but the first, one document per
transaction, so the first is already written into the new generation). ``SLOW_MARKER``, if set,
is a file created when the first sleep begins: the test waits for it rather than guessing.

The slowing is applied at import, not under ``__main__``: ``worker --processes N`` starts its
workers with multiprocessing's *spawn*, which imports this module again in each child (as
``__mp_main__``), so the children are slowed as well. The environment passes to them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def _pause(seconds: float, marker: str | None) -> None:
    if marker:
        Path(marker).touch()
    time.sleep(seconds)


def _slow_down(stage: str, seconds: float, marker: str | None) -> None:
    if stage == "worker":
        from workers import worker

        extract_bytes = worker.extract_bytes

        def slow_extract_bytes(*args, **kwargs):
            document = extract_bytes(*args, **kwargs)
            _pause(seconds, marker)
            return document

        worker.extract_bytes = slow_extract_bytes
    elif stage == "reindex":
        from workers import reindex

        index_rows = reindex._index_rows
        calls = 0

        def slow_index_rows(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls > 1:
                _pause(seconds, marker)
            return index_rows(*args, **kwargs)

        reindex.BATCH = 1
        reindex._index_rows = slow_index_rows
    else:
        raise SystemExit(f"SLOW_STAGE must be worker or reindex, not {stage!r}")


_slow_down(os.environ["SLOW_STAGE"], float(os.environ["SLOW_SECONDS"]), os.environ.get("SLOW_MARKER"))

if __name__ == "__main__":
    from plagcheck.cli import main

    main()
