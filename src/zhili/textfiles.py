"""Reading the text files people hand zhili, in the encodings they are saved in.

Histories, rule packs and tables come as UTF-8 (with or without a byte-order mark), UTF-16
(Excel's "Unicode text", with its BOM) or GBK/GB18030 (a Chinese Windows). The encoding is
detected by decoding the whole text strictly in that order: UTF-8 first because a GB18030
decoder accepts most UTF-8 bytes as (wrong) Chinese, never the other way round. A file none of
them decodes, a binary file, or a path that cannot be read each get an InputError naming the
file (and the line of the first bad byte), never a decoding traceback or mojibake.
``zhili.sheets`` reads CSV tables with the same detection.
"""

from __future__ import annotations

import codecs
import errno
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .errors import InputError
from .i18n import N_, _

ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")
_CHUNK = 1 << 20

# The operating system words its reasons in English whatever the reader's language: the ones
# people meet with their own files, in the catalog.
_REASONS = {errno.ENOENT: N_("no such file or folder"), errno.EACCES: N_("permission denied"),
            errno.EISDIR: N_("a folder, not a file"), errno.ENOTDIR: N_("not a folder"),
            errno.EPERM: N_("permission denied"), errno.ENOSPC: N_("no space left on the disk")}


def os_reason(err: OSError) -> str:
    """Why the system refused a file, in the reader's language where the catalog has it."""
    known = _REASONS.get(err.errno) if err.errno is not None else None
    return _(known) if known else str(err.strerror or err)


def read_text(path: Path | str) -> str:
    """The file's text in its detected encoding (a leading byte-order mark is dropped)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(_("cannot read the file: %(reason)s") % {"reason": os_reason(err)},
                         file=file) from None
    candidates = _candidates(data[:4])
    nul = data.find(b"\x00")
    if nul >= 0 and "utf-16" not in candidates:
        raise InputError(_("expected text, got NUL bytes (a binary file, or UTF-16 without "
                           "its byte-order mark?): save the file as UTF-8"),
                         file=file, path=_line_of(data, nul))
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise undecodable(file, data, err) from None
    raise undecodable(file, data, None)


def detect_encoding(path: Path) -> str:
    """The first of ``ENCODINGS`` that decodes all of ``path`` (UTF-16 only with its BOM),
    read in chunks: tables may be large."""
    with path.open("rb") as fh:
        head = fh.read(4)
    for encoding in _candidates(head):
        if _decodes(path, encoding):
            return encoding
    raise undecodable(str(path), b"", None)


def _candidates(head: bytes) -> tuple[str, ...]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return tuple(e for e in ENCODINGS if e != "utf-16")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


def undecodable(file: str, data: bytes, err: UnicodeDecodeError | None) -> InputError:
    """The error for a text in none of ``ENCODINGS``, at the line of its first byte that is
    not UTF-8 when known."""
    return InputError(_("cannot tell the file's text encoding: it is not UTF-8 (with or "
                        "without BOM), UTF-16 with BOM, or GBK/GB18030; save it as UTF-8"),
                      file=file, path=_line_of(data, err.start) if err is not None else None)


def _line_of(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}"
