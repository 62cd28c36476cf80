"""Reading the text files people hand zhili: one clear error for a file that is not text.

A binary file, a spreadsheet saved as UTF-16 or GBK, or a path that cannot be read each get an
InputError naming the file (and the line of the first bad byte), never a decoding traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .errors import InputError
from .i18n import _


def read_text(path: Path | str) -> str:
    """The file's text, decoded as UTF-8 (a leading byte-order mark is dropped)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(_("cannot read the file: %(reason)s") % {"reason": err.strerror or err},
                         file=file) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(_("expected UTF-8 text, got NUL bytes (a binary or UTF-16 file?): "
                           "save the file as UTF-8"), file=file, path=_line_of(data, nul))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise undecodable(file, data, err) from None


def json_lines(lines: Iterable[str], file: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's JSON value with its line number (JSON Lines); a line that is not
    JSON is one error naming the file, the line and the column."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(_("not valid JSON: %(reason)s (column %(column)d)")
                             % {"reason": err.msg, "column": err.colno},
                             file=file, path=f"line {n}") from None
        yield n, value


def undecodable(file: str, data: bytes, err: UnicodeDecodeError) -> InputError:
    """The error for bytes that are not UTF-8, at the line of the first bad byte."""
    return InputError(_("expected UTF-8 text, got the byte 0x%(byte)02x (GBK or a binary "
                        "file?): save the file as UTF-8") % {"byte": data[err.start]},
                      file=file, path=_line_of(data, err.start))


def _line_of(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}"
