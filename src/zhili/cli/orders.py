"""`zhili assess` and `zhili generate orders`: fulfilment quality from order tables."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from ..i18n import _
from . import render
from .helptext import TranslatedTyper
from .progress import Bars

ENGINE_HELP = "Where the Ibis expressions run: duckdb (embedded) or spark (PySpark)."
TABLE_HELP = "(.csv in UTF-8 or GBK/GB18030, .xlsx or .parquet; Chinese headers: docs/orders.md)"
# The rules that read the order table itself (the others read --products, --after-sales or
# --messages): a pack with none of them has nothing to assess in ORDERS.
ORDER_TABLE_RULES = ("line_nrd_rate", "ship_from_nrd_rate", "ship_from_sold_not_shipped",
                     "store_nrd_streak", "late_shipment", "fake_tracking")


def register(app: typer.Typer) -> None:
    @app.command("assess")
    def assess(
        orders: Path | None = typer.Argument(None, help=f"Order table {TABLE_HELP}."),
        pack: str = typer.Option(..., "--pack", help="Pack code, e.g. aliexpress."),
        as_of: str = typer.Option(..., "--as-of", help="Assess every day up to this instant; a "
                                  "date alone (2026-06-30) means the end of that day (24:00)."),
        engine: str = typer.Option("duckdb", "--engine", help=ENGINE_HELP),
        fmt: str = typer.Option("table", "--format", help="table, json or jsonl."),
        warnings: int = typer.Option(20, "--warnings", help="Early warnings shown (0: all)."),
        products: Path | None = typer.Option(None, "--products",
                                             help="Product table (AliExpress inactive "
                                                  "products)."),
        after_sales: Path | None = typer.Option(None, "--after-sales",
                                                help="Channels after-sales table."),
        messages: Path | None = typer.Option(None, "--messages",
                                             help="Channels customer-service table."),
        state: Path | None = typer.Option(
            None, "--state", help="Keep the assessment in this file between runs; ORDERS is "
            "then the changes since the last run (new and updated rows)."),
        keep_days: int | None = typer.Option(
            None, "--keep-days", help="With a new --state: how far back (days since placing) "
            "order rows may still change. Default 90."),
        columns: Path | None = typer.Option(None, "--columns", help="A YAML file naming your "
                                            "export's headers: {columns: {header: column}, "
                                            "ignore: [header, ...]} (docs/orders.md)."),
    ) -> None:
        """Run the daily fulfilment assessments on ORDERS (and the product or Channels tables
        given) and print violations, sanctions and early warnings (how far every scope is from
        its threshold). See docs/orders.md for the tables and the incremental mode."""
        from ..detect import orders as detect
        from ..detect.orders.warnings import top
        from ..errors import InputError
        from ..rules import load_pack
        from .core import resolve_as_of

        if fmt not in ("table", "json", "jsonl"):
            raise InputError(_("unknown format %(format)r; expected table, json or jsonl")
                             % {"format": fmt})
        if orders is None and not (products or after_sales or messages):
            raise InputError(_("give an order table, or --products, --after-sales or "
                               "--messages"))
        if state is not None and orders is None:
            raise InputError(_("--state needs ORDERS: the changes since the last run"))
        the_pack = load_pack(pack)
        when = resolve_as_of(as_of, the_pack.timezone, day_end=True)
        until = when.at
        with Bars(fmt == "table") as bars:
            if state is not None:
                from ..detect.orders.incremental import assess_incrementally

                result = assess_incrementally(orders, pack, state=state, until=until,
                                              engine=engine, keep_days=keep_days,
                                              progress=bars.stage("assessing days"))
            else:
                result = detect.assess_orders(_order_input(orders, the_pack, columns), the_pack,
                                              until=until, engine=engine,
                                              progress=bars.stage("assessing days"))
        extra = []
        if products is not None:
            extra += detect.violations_from_products(
                _product_input(products, the_pack, columns), result.pack, until=until)
        if after_sales is not None:
            extra += detect.violations_from_after_sales(after_sales, result.pack, until=until,
                                                        engine=engine)
        if messages is not None:
            extra += detect.violations_from_cs(messages, result.pack, until=until, engine=engine)
        if extra:    # fold everything together for the sanctions shown
            result.violations = sorted([*result.violations, *extra], key=lambda v: (v.at, v.id))
            result.book = None
        shown = top(detect.early_warnings(result), warnings)
        sanctions = _sanctions(result)
        when.say()
        if fmt == "table":
            _print_tables(result, sanctions, shown)
            return
        rows: list[dict[str, Any]] = (
            [{"kind": "violation", **_violation_dict(v)} for v in result.violations]
            + [{"kind": "sanction", **s} for s in sanctions]
            + [{"kind": "warning", **w.to_dict()} for w in shown])
        if fmt == "jsonl":
            for row in rows:
                typer.echo(json.dumps(row, ensure_ascii=False, default=str))
        else:
            render.write_json(rows)

    gen = TranslatedTyper(help="Generate synthetic data for demos and benchmarks.",
                      no_args_is_help=True)

    @gen.command("orders")
    def generate_orders_cmd(
        out: Path = typer.Argument(..., help="Output file (.parquet or .csv)."),
        stores: int = typer.Option(100, "--stores", help="Number of stores."),
        start: str = typer.Option("2026-01-01", "--start", help="First day of orders."),
        end: str | None = typer.Option(None, "--end", help="Last day of orders (inclusive; "
                                       "default: 90 days from --start)."),
        days: int | None = typer.Option(None, "--days", help="Days of orders (instead of "
                                        "--end)."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same file)."),
        orders: int | None = typer.Option(None, "--orders",
                                          help="Total orders (default 40 per store per day)."),
    ) -> None:
        """Write realistic synthetic AliExpress orders (skewed store sizes, several lines and
        ship-from countries, Cainiao and self-fulfilled lines, a few planted incidents)."""
        from ..detect.orders.generate import generate_orders

        first, n_days = _day_range(start, end, days)
        n = generate_orders(out, stores=stores, days=n_days, seed=seed, orders=orders,
                            start=first)
        last = first + dt.timedelta(days=n_days - 1)
        typer.echo(_("%(file)s: %(n)d orders, %(stores)d stores, %(first)s to %(last)s "
                     "(seed %(seed)d)") % {"file": out, "n": n, "stores": stores,
                                            "first": first, "last": last, "seed": seed})

    @gen.command("events")
    def generate_events_cmd(
        out: Path = typer.Argument(..., help="Output events table (.parquet)."),
        creators: int = typer.Option(100_000, "--creators", help="Number of creators."),
        days: int = typer.Option(365, "--days", help="Days of history from 2026-01-01."),
        seed: int = typer.Option(7, "--seed", help="Random seed (same seed, same file)."),
    ) -> None:
        """Write a synthetic WeChat Channels history as an events table (the engine
        benchmark's: skewed activity, licence groups, shared devices, late links, appeals)."""
        from ..batch import synthetic, table
        from ..errors import InputError

        if creators < 1 or days < 1:
            raise InputError(_("expected at least one creator and one day"),
                             path="--creators" if creators < 1 else "--days")
        if out.suffix != ".parquet":
            raise InputError(_("an events table is written as Parquet: name it .parquet"),
                             file=str(out))
        with Bars() as bars:
            stage = bars.stage(_("generating history"))
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                done += n
                if stage is not None and done % 1000 == 0:
                    stage(done, creators)
            n = table.write(out, synthetic.creators(creators, days, seed), advance)
        typer.echo(_("%(file)s: %(events)s events of %(creators)s creators over %(days)s days "
                     "(seed %(seed)s)") % {"file": out, "events": f"{n:,}",
                                           "creators": f"{creators:,}", "days": days,
                                           "seed": seed})

    app.add_typer(gen, name="generate")


def _day_range(start: str, end: str | None, days: int | None) -> tuple[dt.date, int]:
    """The first day and the number of days of ``--start``/``--end`` (or ``--days``)."""
    from ..errors import InputError
    from ..timekit import local_date, parse_instant

    if end is not None and days is not None:
        raise InputError(_("give --end or --days, not both"), path="--days")
    first = local_date(parse_instant(start))
    if end is None:
        return first, 90 if days is None else days
    last = local_date(parse_instant(end))
    if last < first:
        raise InputError(_("%(end)s is before --start %(start)s") % {"end": end, "start": start},
                         path="--end")
    return first, (last - first).days + 1


def _order_input(orders: Path | None, pack: Any, columns: Path | None) -> Any:
    """What ``assess_orders`` reads: a Parquet file with the table's own headers as it is (the
    query engine reads it), anything else loaded here with the user's header names."""
    from ..detect.orders.loading import backend_readable, load_orders
    from ..detect.orders.thresholds import thresholds_for
    from ..errors import warn_input
    from ..i18n import _

    if orders is None:
        return []
    th = thresholds_for(pack)
    if not any(th.has(rule) for rule in ORDER_TABLE_RULES):
        warn_input(_("pack %(pack)s has no rule that reads an order table, so nothing in it "
                     "is assessed (the rules on other tables read --products, --after-sales "
                     "or --messages)") % {"pack": pack.code}, file=str(orders))
    if columns is None and backend_readable(orders):
        return orders
    return load_orders(orders, tz=pack.timezone, columns=_column_map(columns))


def _product_input(products: Path, pack: Any, columns: Path | None) -> Any:
    from ..detect.orders.products import load_products

    return load_products(products, tz=pack.timezone, columns=_column_map(columns))


def _column_map(path: Path | None) -> Any:
    from ..detect.orders.columns import ORDER_COLUMNS
    from ..detect.orders.headers import load_column_map
    from ..detect.orders.products import PRODUCT_COLUMNS

    if path is None:
        return None
    known = list(dict.fromkeys(c.name for c in (*ORDER_COLUMNS, *PRODUCT_COLUMNS)))
    return load_column_map(path, known)


def _violation_dict(v: Any) -> dict[str, Any]:
    from ..events import event_to_dict

    return event_to_dict(v)


def _sanctions(result: Any) -> list[dict[str, Any]]:
    """Active sanctions as of the assessment instant, for every store with a violation."""
    from ..detect.orders.folding import EngineBook
    from ..events import in_time_order
    from ..timekit import fmt

    book = result.book
    if book is None:        # packs without the daily freeze loop: fold the violations here
        book = EngineBook(result.pack)
        book.apply(in_time_order(result.violations))
    if not hasattr(book, "ledger"):
        return []
    ledger = book.ledger()
    tz = result.pack.timezone
    out = []
    for store in sorted({v.subject for v in result.violations if v.subject}):
        for s in ledger.state(store, result.until).sanctions:
            out.append({"store": store, "sanction": s.name, "start": fmt(s.start, tz),
                        "end": fmt(s.end, tz), "rule": s.rule})
    return out


def _print_tables(result: Any, sanctions: list[dict[str, Any]], warnings: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..i18n import _
    from ..timekit import fmt

    pack = result.pack
    # Piped output is read by people too: room for names rather than Rich's 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 140)
    vt = Table(title=_("Violations up to %(at)s") % {
        "at": fmt(result.until, pack.timezone)})
    for col in (_("violation"), _("rule"), _("orders"), _("count"), _("rate")):
        vt.add_column(col, overflow="fold")
    for v in result.violations:
        ev = v.evidence
        count = ev.get("nrd", ev.get("sold_not_shipped", ""))
        rate = f"{100 * ev['rate']:.1f}%" if "rate" in ev else (
            _("%(days)s days") % {"days": len(ev["days"])} if "days" in ev else "")
        vt.add_row(v.id, str(pack.name("rules", v.code)), str(ev.get("orders", "")),
                   str(count), rate)
    console.print(vt)
    st = Table(title=_("Active sanctions"))
    for col in (_("store"), _("sanction"), _("start"), _("end")):
        st.add_column(col, overflow="fold")
    for s in sanctions:
        kind, _colon, scope = s["sanction"].partition(":")
        name = pack.name("sanctions", kind).labelled() + (f" {scope}" if scope else "")
        # "permanent" is how fmt (and so the JSON) writes no end.
        end = _("permanent") if s["end"] == "permanent" else s["end"]
        st.add_row(s["store"], name, s["start"], end)
    console.print(st)
    console.print(_("[bold]Early warnings[/bold]"))
    for w in warnings:
        console.print(f"{w.store} {w.message}")
