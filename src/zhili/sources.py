"""The documents rules come from, named as a reader would look them up: by title and date.

Packs, the document registry and the content lexicon declare their sources the same way::

    sources:
      S002: {title: 视频号橱窗达人违规管理规则 2025 解析, date: "2025"}
      S000: {title: 微信小店严打无货源店铺 启动商品常态化抽检, date: 2026-03-24,
             publisher: 邦小白快读}

``date`` is when the document was published (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as
precisely as the document says); a citation is the title, the date and the quoted sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .i18n import _

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
KEYS = ("title", "date", "publisher")


class Source(NamedTuple):
    title: str
    date: str | None = None
    publisher: str | None = None

    def cite(self) -> str:
        """``title (date)``: how an explanation names the document."""
        return f"{self.title} ({self.date})" if self.date else self.title


def parse_sources(node: Any, fail: Callable[[str, str], Exception],
                  path: str = "sources") -> dict[str, Source]:
    """A ``sources:`` mapping, validated: every entry a title, a date of publication, and
    optionally the publisher; errors come from ``fail(path, message)``."""
    if not isinstance(node, Mapping):
        raise fail(path, _("expected a mapping of source keys to {title, date}"))
    sources = {}
    for ref, spec in node.items():
        where = f"{path}.{ref}"
        if not isinstance(spec, Mapping):
            raise fail(where, _("expected {title, date}"))
        for key in spec:
            if key not in KEYS:
                message = _("unknown key; expected one of: %(value)s") % {"value": ", ".join(KEYS)}
                if key == "file":
                    message += _(" (name the document by its title and date, not by a file)")
                raise fail(f"{where}.{key}", message)
        title = spec.get("title")
        if not isinstance(title, str) or not title.strip():
            raise fail(f"{where}.title", _("expected the document's title"))
        date = spec.get("date")
        if isinstance(date, dt.date):  # YAML reads 2026-03-24 as a date
            date = date.isoformat()
        elif isinstance(date, int):
            date = str(date)
        if not isinstance(date, str) or not _DATE.match(date):
            raise fail(f"{where}.date", _("expected the publication date as YYYY, YYYY-MM or "
                                          "YYYY-MM-DD, got %(date)r") % {"date": date})
        publisher = spec.get("publisher")
        sources[str(ref)] = Source(title.strip(), date,
                                   str(publisher).strip() if publisher else None)
    return sources


def citation(provenance: Mapping[str, Any]) -> str | None:
    """``title (date): 「quote」`` for a decision's provenance mapping (``source``, ``date``,
    ``quote``), or None when it cites no document (an assumption or an override)."""
    title = provenance.get("source")
    if not title:
        return None
    cited = Source(str(title), provenance.get("date")).cite()
    quote = provenance.get("quote")
    return f"{cited}: 「{quote}」" if quote else cited
