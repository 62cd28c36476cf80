"""Impact benchmark: `zhili impact` beside one `zhili replay` of the same history.

    python benchmarks/impact.py                      # 100,000 creators, ~1,100,000 events
    python benchmarks/impact.py --creators 20000     # a quicker run

The history is the engine benchmark's (`benchmarks/engine.py`: a year of WeChat Channels
activity), written once as JSON Lines with its subjects. Each command runs as a user runs it
(a fresh process, reading the file, JSON to /dev/null), replay and impact alternating, and the
report gives each candidate's time beside the replay's in the same run, as a ratio (the target:
impact within 2.5× one replay). Candidates:

- a rule's own parameter (a deduction): only the creators who violated that rule fold again;
- a tier's threshold: every creator folds again under the candidate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.events import Event, event_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import generate  # noqa: E402  (the engine benchmark's generator, beside this file)

AS_OF = "2026-12-31"
CANDIDATES = {
    "a rule's deduction": ["--param", "rules.exaggerated_efficacy.deduct.credit=4"],
    "a tier's threshold": ["--param", "bands.levels.band_8.upto=9"],
}


def write_history(folder: Path, creators: int, seed: int) -> tuple[Path, Path, int]:
    subjects, events = generate(creators, 11.0, seed, 1000)
    events.sort(key=Event.sort_key)
    history, people = folder / "history.jsonl", folder / "subjects.json"
    with history.open("wb") as out, Progress(transient=True) as progress:
        task = progress.add_task("writing the history", total=len(events))
        for i, e in enumerate(events):
            out.write(orjson.dumps(event_to_dict(e), default=str) + b"\n")
            if i % 50_000 == 0:
                progress.update(task, completed=i)
    people.write_bytes(orjson.dumps({sid: {"kind": s.kind, "deposit": int(s.deposit or 0)}
                                     for sid, s in subjects.items()}))
    return history, people, len(events)


def timed(args: list[str]) -> float:
    env = {**os.environ, "ZHILI_LANG": "en"}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhili", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each command")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        history, people, n = write_history(Path(tmp), args.creators, args.seed)
        common = [str(history), "--subjects", str(people), "--pack", "wechat_channels",
                  "--as-of", AS_OF, "--format", "json"]
        times: dict[str, list[float]] = {"replay": [], **{k: [] for k in CANDIDATES}}
        for r in range(args.rounds):
            with console.status(f"round {r + 1}: zhili replay…"):
                times["replay"].append(timed(["replay", *common]))
            for name, extra in CANDIDATES.items():
                with console.status(f"round {r + 1}: zhili impact, {name}…"):
                    times[name].append(timed(["impact", *common, *extra]))
    replay_s = statistics.median(times["replay"])
    table = Table(title=f"zhili impact beside zhili replay ({args.creators:,} creators, "
                        f"{n:,} events)", title_justify="left")
    for h in ("command", "median of runs", "runs", "ratio to one replay"):
        table.add_column(h)
    table.add_row("zhili replay --format json", f"{replay_s:.1f} s",
                  ", ".join(f"{t:.1f}" for t in times["replay"]), "1.00×")
    for name, extra in CANDIDATES.items():
        s = statistics.median(times[name])
        table.add_row(f"zhili impact {' '.join(extra)}", f"{s:.1f} s",
                      ", ".join(f"{t:.1f}" for t in times[name]), f"{s / replay_s:.2f}×")
    console.print(table)
    console.print(f"python {sys.version.split()[0]}, load average "
                  f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end, seed {args.seed}")


if __name__ == "__main__":
    main()
