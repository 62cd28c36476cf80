"""A candidate rule set for a live pack, as a shadow stores it: what it is, and its pack.

The same three kinds ``zhili impact`` compares: a version of the pack, a pack file a team
drafted (kept as its text, so that the shadow does not depend on a file staying where it was),
or parameter overrides — alone, or on top of the version or the file. A candidate is validated
when it is registered, exactly as any pack is on load, and it must be a pack of the same
platform: a shadow folds the live pack's events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..i18n import _
from ..rules import Pack, load_pack, load_pack_text

KEYS = ("version", "pack_file", "file", "params")
MAX_PACK_FILE_CHARS = 1_000_000  # a drafted pack file; the shipped ones are under 100,000


@dataclass(frozen=True, slots=True)
class Candidate:
    """The rules a shadow folds instead of the live ones of ``pack``."""

    pack: str
    version: str | None = None
    pack_file: str | None = None  # the drafted pack file's text
    file: str | None = None  # its name, for errors and for people
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, pack: str, stored: Mapping[str, Any]) -> Candidate:
        """The candidate a stored (or posted) mapping describes; its shape checked."""
        unknown = sorted(set(stored) - set(KEYS))
        if unknown:
            raise InputError(_("unknown field %(field)s; a candidate has: %(fields)s")
                             % {"field": repr(unknown[0]), "fields": ", ".join(KEYS)},
                             path=f"candidate.{unknown[0]}")
        params = stored.get("params") or {}
        if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
            raise InputError(_("expected parameter overrides as a mapping of names to values"),
                             path="candidate.params")
        version, text = stored.get("version"), stored.get("pack_file")
        if version is not None and text is not None:
            raise InputError(_("a candidate is a pack version or a drafted pack file, not both"),
                             path="candidate")
        if version is None and text is None and not params:
            raise InputError(_("expected a candidate: a pack version, a drafted pack file or "
                               "parameter overrides"), path="candidate")
        for name, value in (("version", version), ("pack_file", text),
                            ("file", stored.get("file"))):
            if value is not None and not isinstance(value, str):
                raise InputError(_("expected text, got %(value)s") % {"value": repr(value)},
                                 path=f"candidate.{name}")
        if text is not None and len(text) > MAX_PACK_FILE_CHARS:
            raise InputError(_("a drafted pack file may hold at most %(n)d characters")
                             % {"n": MAX_PACK_FILE_CHARS}, path="candidate.pack_file")
        return cls(pack, version, text, stored.get("file") if text is not None else None,
                   dict(params))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.version is not None:
            out["version"] = self.version
        if self.pack_file is not None:
            out["pack_file"] = self.pack_file
            out["file"] = self.file or "pack.yaml"
        if self.params:
            out["params"] = dict(self.params)
        return out

    @property
    def kind(self) -> str:
        """``version``, ``pack_file`` or ``params``: what the candidate mainly is."""
        if self.version is not None:
            return "version"
        return "pack_file" if self.pack_file is not None else "params"

    def describe(self) -> str:
        """The candidate in a line, in the reader's language."""
        parts = []
        if self.version is not None:
            parts.append(_("version %(version)s") % {"version": self.version})
        if self.pack_file is not None:
            parts.append(_("drafted pack file %(file)s") % {"file": self.file or "pack.yaml"})
        if self.params:
            shown = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
            parts.append(_("parameters %(params)s") % {"params": shown})
        return _("; ").join(parts)

    def fingerprint(self) -> str:
        """A short digest of the candidate: the scope of its fold's checkpoints."""
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(f"{self.pack}\n{text}".encode()).hexdigest()[:16]

    def load(self) -> Pack:
        """The candidate's pack, validated; errors name the field of the candidate."""
        try:
            if self.pack_file is not None:
                found = load_pack_text(self.pack_file, self.file or "pack.yaml", self.params)
            else:  # a version of the pack (versions/VERSION.yaml beside it), or as shipped
                found = load_pack(self.pack, self.params, version=self.version)
        except InputError as err:
            raise err.within(path="candidate") from None
        if found.code != self.pack:
            raise InputError(_("the drafted pack is %(found)s, not %(pack)s: a shadow folds the "
                               "live pack's events") % {"found": found.code, "pack": self.pack},
                             path="candidate.pack_file")
        return found
