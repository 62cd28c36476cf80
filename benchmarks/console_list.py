"""The console's subjects list over a large portfolio: how long a page takes.

    python benchmarks/console_list.py [--subjects 10000] [--store sqlite|memory]

Builds the portfolio (``zhili.demo.crowd``: subjects over three packs, a third with
violations, Tmall Global stores with documents), serves the console in-process, and times:

- the first page after a restart (a fresh service and app over the store): every subject's
  summary read from the store (``zhili.store.summaries``), those that time alone changed since
  ingestion folded and stored again, filtered, sorted, one page shown;
- the first page after a second restart, when the first one stored what it folded;
- then, within the same minute, a search, a filter, a sort and a later page (the rows are
  reused; only filtering, sorting and rendering remain);
- the baseline in the same run, on another fresh service: what the list did before it kept
  summaries, every subject folded (``StateService.states``, one batch per pack) and every
  document status read from the pack's events, without rendering.

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
from zhili.documents import documents_as_of
from zhili.rules import load_pack
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

        # Each measure starts from a fresh service (as after a restart), so none warms another.
        first, _ = _first_page(store, args.subjects)
        second, _ = _first_page(store, args.subjects)
        client = _client(store)
        client.get("/subjects")
        follow = {name: _timed(client, path, repeat=3) for name, path in FOLLOW_UPS.items()}
        baseline = _fold_everything(store)
        store.close()

    table = Table(title=f"subjects list, {args.subjects:,} subjects ({args.store}), "
                        f"load average {os.getloadavg()[0]:.2f}")
    for column in ("measure", "seconds", "vs. baseline"):
        table.add_column(column)
    table.add_row("build the portfolio", f"{built:.2f}", "")
    table.add_row("baseline: fold every subject and its documents", f"{baseline:.2f}", "1.00")
    table.add_row("first page after a restart (summaries)", f"{first:.3f}",
                  f"{first / baseline:.4f}")
    table.add_row("first page after a second restart", f"{second:.3f}",
                  f"{second / baseline:.4f}")
    for name, (seconds, resp) in follow.items():
        assert resp.status_code == 200, name
        table.add_row(f"then {name} (median of 3)", f"{seconds:.3f}",
                      f"{seconds / baseline:.4f}")
    out.print(table)


def _client(store) -> TestClient:
    client = TestClient(create_app(store=store, states=StateService(store), clock=lambda: NOW))
    client.post("/login", data={"key": create_key(store, "admin")[1]})
    return client


def _first_page(store, subjects: int):
    seconds, response = _timed(_client(store), "/subjects")
    assert response.status_code == 200, response.text
    # The page lists every subject (its count names them all) and shows one page of them.
    assert str(subjects) in response.text.split('id="count"')[1].split("</p>")[0]
    assert response.text.count('<a href="/subjects/') == 50
    return seconds, response


def _fold_everything(store) -> float:
    """What the first page cost before summaries: every state folded, every document read."""
    cold = StateService(store)
    registry = store.subjects()
    started = time.perf_counter()
    cold.states(list(registry), NOW)
    for code in sorted({pack for pack, _ in registry.values()}):
        cats = {sid: tuple(getattr(s, "categories", ()) or ())
                for sid, (p, s) in registry.items() if p == code}
        documents_as_of(store.events(pack=code, until=NOW), code, cats, NOW,
                        tz=load_pack(code).timezone)
    return time.perf_counter() - started


def _timed(client: TestClient, path: str, repeat: int = 1):
    times, response = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times), response


if __name__ == "__main__":
    main()
