"""Subjects: the creators and stores the rules govern, with the attributes rules read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ..errors import InputError
from ..i18n import _

KINDS = ("creator", "store")


@dataclass(frozen=True, slots=True)
class Subject:
    id: str
    kind: str = "creator"
    deposit: Decimal | None = None
    base_deposit: Decimal | None = None
    main: bool = False
    name: str | None = None  # the shop's or account's display name (店铺名称), for people
    licence: str | None = None
    legal_rep: str | None = None
    devices: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    registered_warehouses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, id: str, raw: Mapping[str, Any] | None,
                     default_kind: str = "creator") -> Subject:
        raw = dict(raw or {})
        allowed = {f.name for f in fields(cls)} - {"id"}
        for key in raw:
            if key not in allowed:
                raise InputError(_("unknown subject attribute; allowed: %(value)s")
                                 % {"value": ', '.join(sorted(allowed))}, path=key)
        kind = raw.get("kind", default_kind)
        if kind not in KINDS:
            raise InputError(_("expected one of %(value)s, got %(kind)r")
                             % {"value": ', '.join(KINDS), "kind": kind}, path="kind")
        values: dict[str, Any] = {"id": str(id), "kind": kind}
        for key in ("deposit", "base_deposit"):
            if raw.get(key) is not None:
                try:
                    values[key] = Decimal(str(raw[key]))
                except Exception:
                    raise InputError(_("expected an amount in CNY, got %(value)r")
                                     % {"value": raw[key]},
                                     path=key) from None
        for key in ("name", "licence", "legal_rep"):
            if raw.get(key) is not None:
                values[key] = str(raw[key])
        for key in ("devices", "ips", "registered_warehouses", "categories"):
            if raw.get(key) is not None:
                if not isinstance(raw[key], list | tuple):
                    raise InputError(_("expected a list, got %(value)r")
                                     % {"value": raw[key]}, path=key)
                values[key] = tuple(str(v) for v in raw[key])
        if "main" in raw:
            if not isinstance(raw["main"], bool):
                raise InputError(_("expected true or false, got %(main)r")
                                 % {"main": raw['main']}, path="main")
            values["main"] = raw["main"]
        return cls(**values)

    def link_keys(self, extended_via: tuple[str, ...]) -> list[tuple[str, str]]:
        """The attributes by which association links subjects: the licence always, and those
        of ``extended_via`` (legal representative, devices, IPs) where the pack says so."""
        keys = [("licence", self.licence)] if self.licence else []
        if "legal_rep" in extended_via and self.legal_rep:
            keys.append(("legal_rep", self.legal_rep))
        if "device" in extended_via:
            keys += [("device", d) for d in self.devices]
        if "ip" in extended_via:
            keys += [("ip", i) for i in self.ips]
        return keys

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, (), False) and f.name != "kind":
                continue
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out
