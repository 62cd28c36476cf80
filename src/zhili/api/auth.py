"""API keys: made once, shown once, stored only as a SHA-256 hash.

A key is a random token; the store keeps ``sha256(key)`` and the key's role (and, for a
merchant, the one subject it speaks for). A leaked database therefore leaks no usable key.
SHA-256 without a salt is enough here because the keys are 256-bit random tokens, not
passwords: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from ..errors import InputError

ROLES = ("admin", "reviewer", "merchant")
KEY_PREFIX = "zk_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, its role, and for a merchant its subject."""

    key_id: str
    role: str
    subject: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see(self, subject: str) -> bool:
        """Admins and reviewers read everything; a merchant only its own subject."""
        return self.role != "merchant" or subject == self.subject


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_role(role: str, subject: str | None) -> None:
    """A merchant key speaks for exactly one subject; the other roles for none."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; expected one of: {', '.join(ROLES)}")
    if role == "merchant" and not subject:
        raise InputError("a merchant key needs --subject, the subject it speaks for")
    if role != "merchant" and subject:
        raise InputError(f"a {role} key reads every subject; --subject is only for merchants")


def create_key(store, role: str, subject: str | None = None) -> tuple[str, str]:
    """Make a key, store its hash, and return ``(key_id, key)``; the key is never kept."""
    check_role(role, subject)
    key = new_key()
    key_id = store.create_key(role, subject, hash_key(key))
    return key_id, key


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer KEY`` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(store, key: str | None) -> Principal | None:
    if not key:
        return None
    found = store.find_key(hash_key(key))
    if found is None:
        return None
    return Principal(key_id=found.id, role=found.role, subject=found.subject)
