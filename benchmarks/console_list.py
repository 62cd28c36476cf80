"""The console's subjects list over a large portfolio: how long a page takes.

    python benchmarks/console_list.py [--subjects 10000] [--store sqlite|memory]

Builds the portfolio (``zhili.demo.crowd``: subjects over three packs, a third with
violations, Tmall Global stores with documents), serves the console in-process, and times:

- the first page on a fresh service (every state, every document status, filtered, sorted,
  one page shown);
- then, within the same minute, a search, a filter, a sort and a later page (the rows are
  reused; only filtering, sorting and rendering remain);
- the baseline in the same run, on another fresh service: every subject's state asked one by
  one (``StateService.state`` per subject, as the list did before it read them in one batch),
  without documents or rendering.

Prints a table with the load average beside it (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.demo.crowd import load_crowd
from zhili.store import StateService, open_store
from zhili.timekit import parse_instant

NOW = parse_instant("2026-06-30 12:00")
FOLLOW_UPS = {
    "search": "/subjects?q=星河",
    "filter": "/subjects?pack=tmall_global&expiring=1",
    "sort": "/subjects?sort=fees&order=desc",
    "page 40": "/subjects?sort=id&page=40",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    args = parser.parse_args()
    out = Console()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'crowd.db'}" if args.store == "sqlite" else "memory://"
        store = open_store(url)
        states = StateService(store)
        started = time.perf_counter()
        with Progress(transient=True) as progress:
            progress.add_task(f"building {args.subjects:,} subjects", total=None)
            load_crowd(store, states, args.subjects, NOW)
        built = time.perf_counter() - started

        # Each measure starts from a fresh service (components restored from the store's
        # checkpoints, as after a restart), so neither warms the other.
        client = TestClient(create_app(store=store, states=StateService(store),
                                       clock=lambda: NOW))
        client.post("/login", data={"key": create_key(store, "admin")[1]})
        first, response = _timed(client, "/subjects")
        assert response.status_code == 200, response.text
        # The page lists every subject (its count names them all) and shows one page of them.
        assert str(args.subjects) in response.text.split('id="count"')[1].split("</p>")[0]
        assert response.text.count('<a href="/subjects/') == 50
        follow = {name: _timed(client, path, repeat=3) for name, path in FOLLOW_UPS.items()}

        cold = StateService(store)
        subjects = list(store.subjects())
        started = time.perf_counter()
        for sid in subjects:
            cold.state(sid, NOW)
        one_by_one = time.perf_counter() - started
        store.close()

    table = Table(title=f"subjects list, {args.subjects:,} subjects ({args.store}), "
                        f"load average {os.getloadavg()[0]:.2f}")
    for column in ("measure", "seconds", "vs. states one by one"):
        table.add_column(column)
    table.add_row("build the portfolio", f"{built:.2f}", "")
    table.add_row("baseline: every state one by one", f"{one_by_one:.2f}", "1.00")
    table.add_row("first page (all states, documents, one page)", f"{first:.2f}",
                  f"{first / one_by_one:.2f}")
    for name, (seconds, resp) in follow.items():
        assert resp.status_code == 200, name
        table.add_row(f"then {name} (median of 3)", f"{seconds:.3f}",
                      f"{seconds / one_by_one:.3f}")
    out.print(table)


def _timed(client: TestClient, path: str, repeat: int = 1):
    times, response = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times), response


if __name__ == "__main__":
    main()
