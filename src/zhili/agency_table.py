"""An agency's books as the table it keeps: CSV (UTF-8, GBK/GB18030, UTF-16) or Excel.

One row per event, or per subject: a row whose type is ``subject`` (主体) registers a subject
with its attributes; every other row is an event of that type (docs/events.md). Headers are the
field names (``pack``, ``at``, ``type``, ``subject``, ``code``, ``doc_type`` …) or the Chinese
names back offices use (平台, 时间, 类型, 主体, 违规代码, 资质类型 …; ``HEADERS``); an empty cell
is a field not given. The platform column names the platform as people write it (天猫国际,
速卖通, AliExpress; ``zhili.platforms``) or a pack code. Rows are grouped into one book per
platform, in the order the platforms first appear, and read as the books of a YAML file are
(``portfolio.load_books``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError
from .i18n import _
from .platforms import platform_pack
from .sheets import CSV_SUFFIXES, EXCEL_SUFFIXES, read_sheet

SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES
# Chinese headers → fields. Any field of an event or a subject may also head its column.
HEADERS = {
    "平台": "pack", "规则包": "pack", "编号": "id", "事件编号": "id", "时间": "at",
    "发生时间": "at", "类型": "type", "事件类型": "type", "主体": "subject", "店铺": "subject",
    "店铺ID": "subject", "达人": "subject", "违规代码": "code", "违规类型": "code",
    "商品": "item", "商品ID": "item", "金额": "amount", "标记": "flags", "资质类型": "doc_type",
    "文件类型": "doc_type", "文件编号": "doc_id", "有效期至": "valid_until", "审核结果": "result",
    "截止时间": "due", "批次": "batch", "申诉": "appeal", "违规": "violation",
    "主体类型": "kind", "名称": "name", "店铺名称": "name", "营业执照": "licence",
    "保证金": "deposit", "类目": "categories",
}
SUBJECT_ROW = ("subject", "主体")
SUBJECT_FIELDS = ("kind", "name", "licence", "deposit", "categories", "legal_rep",
                  "devices", "ips", "registered_warehouses")
LISTS = ("categories", "flags", "devices", "ips", "registered_warehouses", "materials")


def books_from_table(path: Path) -> list[dict[str, Any]]:
    """The books of the table, as the mappings a YAML book file holds."""
    file = str(path)
    table = read_sheet(path, what="agency table")
    fields = {name: HEADERS.get(name, name) for name in table.column_names}
    for required in ("pack", "type", "subject"):
        if required not in fields.values():
            raise InputError(_("the table needs a %(field)s column (%(chinese)s)") % {
                "field": required,
                "chinese": " / ".join(k for k, v in HEADERS.items() if v == required)},
                file=file)
    books: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(table.to_pylist(), start=2):  # row 1 is the header
        values = {fields[k]: _value(fields[k], v) for k, v in row.items() if v is not None}
        platform = values.pop("pack", None)
        if platform is None:
            raise InputError(_("a row needs its platform"), file=file, path=_row(n))
        pack = platform_pack(platform.strip(), file=file, path=_row(n))
        book = books.setdefault(pack, {"pack": pack, "subjects": {}, "events": []})
        if str(values.get("type", "")).strip().lower() in SUBJECT_ROW:
            _subject_row(book, values, file, n)
        else:
            values.setdefault("id", f"row-{n}")  # a table's events may go unnamed
            book["events"].append(values)
    if not books:
        raise InputError(_("the table has no rows"), file=file)
    return list(books.values())


def _row(n: int) -> str:
    """Where a row's mistake is, as the reader counts rows (the header is row 1)."""
    return _("row %(n)d") % {"n": n}


def _value(field: str, text: str) -> Any:
    if field in LISTS:
        return [part.strip() for part in text.replace("、", ",").split(",") if part.strip()]
    return text


def _subject_row(book: dict[str, Any], values: Mapping[str, Any], file: str, n: int) -> None:
    sid = values.get("subject")
    extra = sorted(set(values) - {"type", "subject", "id", *SUBJECT_FIELDS})
    if extra:
        raise InputError(_("a subject row takes only %(fields)s; not %(extra)s") % {
            "fields": ", ".join(SUBJECT_FIELDS), "extra": ", ".join(extra)},
            file=file, path=_row(n))
    book["subjects"][sid] = {k: v for k, v in values.items() if k in SUBJECT_FIELDS}
