"""API keys: made once, shown once, stored only as a SHA-256 hash.

A key is a random token; the store keeps ``sha256(key)`` and the key's role (and, for a
merchant, the one subject it speaks for), when it was made, last used, when it expires and
whether it was revoked. A leaked database therefore leaks no usable key. The console keeps
a session token in its cookie, stored the same way, never the key.
SHA-256 without a salt is enough here because the keys are 256-bit random tokens, not
passwords: there is nothing to brute-force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from ..errors import InputError
from ..i18n import _

ROLES = ("admin", "reviewer", "merchant")
KEY_PREFIX = "zk_"
SESSION_LENGTH = dt.timedelta(hours=12)  # a console sign-in lasts a working day
# The last use of a key is recorded to the minute: one write a minute per key, not per request.
LAST_USE_PRECISION = dt.timedelta(minutes=1)


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
        raise InputError(_("unknown role %(role)r; expected one of: %(value)s")
                         % {"role": role, "value": ', '.join(ROLES)})
    if role == "merchant" and not subject:
        raise InputError(_("a merchant key needs --subject, the subject it speaks for"))
    if role != "merchant" and subject:
        raise InputError(_("a %(role)s key reads every subject; --subject is only for merchants")
                         % {"role": role})


def create_key(store, role: str, subject: str | None = None, *,
               expires: dt.datetime | None = None) -> tuple[str, str]:
    """Make a key, store its hash, and return ``(key_id, key)``; the key is never kept."""
    check_role(role, subject)
    key = new_key()
    key_id = store.create_key(role, subject, hash_key(key), expires=expires)
    return key_id, key


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer KEY`` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(store, key: str | None, now: dt.datetime) -> Principal | None:
    """Who ``key`` speaks for at ``now``; None for an unknown, revoked or expired key.

    Looked up on every request, never cached: a key revoked while the server runs is refused
    at its next request.
    """
    if not key:
        return None
    return _admit(store, store.find_key(hash_key(key)), now)


def _admit(store, found, now: dt.datetime) -> Principal | None:
    if found is None or not found.usable(now):
        return None
    if found.last_used is None or abs(now - found.last_used) >= LAST_USE_PRECISION:
        store.key_used(found.id, now)
    return Principal(key_id=found.id, role=found.role, subject=found.subject)


def open_session(store, key: str, now: dt.datetime) -> str | None:
    """Sign the console in with ``key``: a new random session token for its cookie, or None
    for a key that is not usable. Only the token's hash is stored; the cookie never holds
    the key."""
    found = store.find_key(hash_key(key.strip()))
    if _admit(store, found, now) is None:
        return None
    token = secrets.token_urlsafe(32)
    store.open_session(hash_key(token), found.id, now + SESSION_LENGTH)
    return token


def session_principal(store, token: str | None, now: dt.datetime) -> Principal | None:
    """Who a console session speaks for: None once it ended, or its key was revoked or
    expired (checked on every request, like a key)."""
    if not token:
        return None
    found = store.session_key(hash_key(token))
    if found is None or now >= found[1]:
        return None
    return _admit(store, found[0], now)


def end_session(store, token: str | None) -> None:
    if token:
        store.end_session(hash_key(token))
