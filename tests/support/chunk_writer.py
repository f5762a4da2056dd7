"""Test helper process: writes synthetic entities in committed chunks and reports every commit on stdout.

Used to back up while the application writes and to be killed (SIGKILL) in the middle of a write.
Each chunk is one transaction inserting entity, category, licence and FTS rows and advancing the
`entity_search_key` counter, so a torn transaction would show up as broken invariants.

    python tests/support/chunk_writer.py DB --entities N --chunk C --seed S
prints "ready" once the database is open, then "committed <total>" after every commit.
"""

from __future__ import annotations

import argparse
import sys

from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.demo_data import generate_demo_data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--entities", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ctx = open_context(args.db)
    print("ready", flush=True)

    def committed(done: int, _total: int) -> None:
        print(f"committed {done}", flush=True)

    generate_demo_data(ctx, args.entities, seed=args.seed, chunk=args.chunk, progress=committed)
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
