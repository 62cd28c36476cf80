"""Reading the text files people hand zhili: one clear error for a file that is not text.

A binary file, a spreadsheet saved as UTF-16 or GBK, or a path that cannot be read each get an
InputError naming the file (and the line of the first bad byte), never a decoding traceback.
"""

from __future__ import annotations

from pathlib import Path

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


def undecodable(file: str, data: bytes, err: UnicodeDecodeError) -> InputError:
    """The error for bytes that are not UTF-8, at the line of the first bad byte."""
    return InputError(_("expected UTF-8 text, got the byte 0x%(byte)02x (GBK or a binary "
                        "file?): save the file as UTF-8") % {"byte": data[err.start]},
                      file=file, path=_line_of(data, err.start))


def _line_of(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}"
