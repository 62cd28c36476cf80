"""``zhili demo --report OUT.html``: the console's pages as one static, self-contained file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..api.auth import Principal
from ..api.service import Governance
from ..i18n import install_jinja
from ..timekit import fmt, parse_instant
from ..web import HERE, orders_view, views
from .build import Built


def render_report(gov: Governance, title: str) -> str:
    """Every subject, the appeal queue and the logistics panels, as an admin sees them."""
    who = Principal(key_id="report", role="admin")
    now = gov.clock()
    subjects: list[dict[str, Any]] = []
    for sid in gov.subjects(who):
        subjects.append(views.subject_page(gov, who, sid, now))
    logistics = [orders_view.panel(gov, who, sid)
                 for sid in orders_view.stores_with_orders(gov, who)]
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]))
    install_jinja(env)
    env.filters["local"] = lambda t: fmt(parse_instant(t)) if t else ""
    env.filters["money"] = lambda v: f"¥{float(v):,.0f}" if v is not None else "whole account"
    css = (HERE / "static" / "console.css").read_text(encoding="utf-8")
    return env.get_template("report.html").render(
        title=title, css=css, now=now, rows=views.subject_rows(gov, who, now),
        subjects=subjects, logistics=logistics, appeals=views.appeal_rows(gov, who, now))


def write_report(built: Built, out: Path) -> None:
    from ..store import StateService, open_store

    store = open_store(built.url)
    try:
        gov = Governance(store, StateService(store))
        html = render_report(gov, f"zhili demo — {len(built.subjects)} subjects, "
                                  f"{len(built.packs)} packs")
    finally:
        store.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
