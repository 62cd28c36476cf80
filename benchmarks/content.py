"""Content scanner throughput: end-to-end scan vs the raw ahocorasick-rs match vs pyahocorasick.

Generates ``--mb`` MB (UTF-8) of Chinese product copy — ordinary sentences with, now and then,
an extreme word, a contact with an evasion, an efficacy promise — and a lexicon of the packaged
terms plus ``--terms`` generated ones. In one run, over the same texts:

- end to end, batched: ``zhili.detect.content.scan_many`` over chunks of 4096 texts, as
  ``zhili scan FILE`` reads a file (normalisation, automaton, detectors, context rules);
- end to end, one text at a time: ``zhili.detect.content.scan``;
- floor: ``ahocorasick_rs`` over the raw texts, one text at a time, with the lexicon's patterns,
  overlapping matches;
- baseline: ``pyahocorasick`` (``ahocorasick.Automaton.iter``) over the raw texts.

Each is timed by the wall clock and by the process's CPU time (on a machine shared with other
jobs the wall clock also counts the time the process waited for a core). Then the time of one
scan of a 120-character text (median of 5 × 400 scans). Run:
``python benchmarks/content.py [--mb 100] [--terms 20000] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import ahocorasick
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhili.detect.content import scan, scan_many
from zhili.detect.content.lexicon import default_lexicon
from zhili.detect.content.normalize import warm_up

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--terms", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    console = Console()

    with console.status("generating texts and lexicon"):
        texts = make_texts(args.mb, rng)
        generated = make_terms(args.terms, rng)
        lex = default_lexicon().with_overrides(
            {"add": [{"finding": "extreme_word", "terms": generated}]}, file="benchmark")
        warm_up()
        scan("", lexicon=lex)                 # compiles the scanner for this lexicon
        patterns = [p.text for p in lex.patterns]
        ac_rs = lex.automaton
        ac_py = ahocorasick.Automaton()
        for i, p in enumerate(patterns):
            ac_py.add_word(p, i)
        ac_py.make_automaton()
    total = sum(len(t.encode()) for t in texts) / 1e6
    console.print(f"{len(texts):,} texts, {total:.1f} MB UTF-8, {len(patterns):,} patterns "
                  f"({len(lex.terms):,} terms)")

    step = max(1, len(texts) // 100)
    with Progress(console=console) as progress:
        runs = {
            "end-to-end scan_many (zhili)": timed(
                "end-to-end scan_many", texts, lambda c: scan_many(c, lexicon=lex), CHUNK,
                progress),
            "end-to-end scan, one text at a time": timed(
                "end-to-end scan", texts, each(lambda t: scan(t, lexicon=lex)), step, progress),
            "raw ahocorasick-rs": timed(
                "raw ahocorasick-rs", texts,
                each(lambda t: ac_rs.find_matches_as_indexes(t, overlapping=True)), step,
                progress),
            "pyahocorasick": timed(
                "pyahocorasick", texts, each(lambda t: list(ac_py.iter(t))), step, progress),
        }

    one = one_text(rng)
    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(400):
            scan(one, lexicon=lex)
        walls.append((time.perf_counter() - wall) / 400 * 1e6)
        cpus.append((time.process_time() - cpu) / 400 * 1e6)

    rs_wall, rs_cpu = runs["raw ahocorasick-rs"]
    table = Table("measure", "wall s", "MB/s", "× raw", "CPU s", "MB/s (CPU)", "× raw (CPU)")
    for label, (wall, cpu) in runs.items():
        table.add_row(label, f"{wall:.2f}", f"{total / wall:.1f}", f"{wall / rs_wall:.2f}×",
                      f"{cpu:.2f}", f"{total / cpu:.1f}", f"{cpu / rs_cpu:.2f}×")
    console.print(table)
    console.print(f"one {len(one)}-character text: median {statistics.median(walls):.1f} µs "
                  f"per scan (CPU {statistics.median(cpus):.1f} µs; target < 50 µs)")
    wall, cpu = runs["end-to-end scan_many (zhili)"]
    console.print(f"targets (scan_many): end-to-end ≥ 20 MB/s → {total / wall:.1f} "
                  f"(CPU {total / cpu:.1f}); within 3× of raw → {wall / rs_wall:.2f}× "
                  f"(CPU {cpu / rs_cpu:.2f}×)")


if __name__ == "__main__":
    main()
