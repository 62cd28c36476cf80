"""`zhili keys`: make, list and revoke the API keys of the REST API and the console."""

from __future__ import annotations

import datetime as dt
import re

import typer

from ..errors import InputError

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...); default $ZHILI_DB or a SQLite file."
EXPIRES_HELP = "When the key stops working: an instant ('2027-01-01') or a span from now ('90d')."


def expiry(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """``--expires``: a span such as ``90d``/``12h`` from ``now``, or an instant."""
    from ..timekit import parse_instant

    if value is None:
        return None
    span = re.fullmatch(r"\s*(\d{1,5})\s*([dh])\s*", value)
    if span:
        amount, unit = int(span.group(1)), span.group(2)
        when = now + (dt.timedelta(days=amount) if unit == "d" else dt.timedelta(hours=amount))
    else:
        try:
            when = parse_instant(value)
        except InputError as err:
            raise InputError(f"{err.message}, or a span such as 90d", path="--expires") from None
    if when <= now:
        raise InputError(f"expected a time after now, got {value!r}", path="--expires")
    return when


def _shown(t: dt.datetime | None, empty: str = "-") -> str:
    from ..timekit import fmt

    return empty if t is None else fmt(t)


def register(app: typer.Typer) -> None:
    keys_app = typer.Typer(help="API keys for the REST API and the console.",
                           no_args_is_help=True)
    db_option = typer.Option(None, "--db", envvar="ZHILI_DB", help=DB_HELP)

    @keys_app.command("create")
    def create(
        role: str = typer.Option(..., "--role", help="admin, reviewer or merchant."),
        subject: str | None = typer.Option(None, "--subject",
                                           help="The subject a merchant key speaks for."),
        expires: str | None = typer.Option(None, "--expires", help=EXPIRES_HELP),
        db: str | None = db_option,
    ) -> None:
        """Make an API key and print it once; only its SHA-256 hash is stored."""
        from ..api.auth import create_key
        from ..store import open_store

        until = expiry(expires, dt.datetime.now(dt.UTC))
        store = open_store(db)
        try:
            key_id, key = create_key(store, role, subject, expires=until)
        finally:
            store.close()
        typer.echo(key)
        lasts = f", expires {_shown(until)}" if until else ""
        typer.echo(f"key id {key_id}, role {role}{f', subject {subject}' if subject else ''}"
                   f"{lasts}. Keep the key now: it is not stored and cannot be shown again.",
                   err=True)

    @keys_app.command("list")
    def list_keys(db: str | None = db_option) -> None:
        """Every key: id, role, subject, created, last used, expiry and status (never a key)."""
        from rich.console import Console

        from ..store import open_store
        from .render import table

        now = dt.datetime.now(dt.UTC)
        store = open_store(db)
        try:
            found = store.list_keys()
        finally:
            store.close()
        rows = [[k.id, k.role, k.subject or "-", _shown(k.created), _shown(k.last_used, "never"),
                 _shown(k.expires, "never"), _status(k, now)] for k in found]
        Console().print(table(f"{len(rows)} API keys", ["id", "role", "subject", "created",
                                                        "last used", "expires", "status"], rows))

    @keys_app.command("revoke")
    def revoke(key_id: str = typer.Argument(..., metavar="ID", help="The key's id (zhili keys "
                                            "list)."),
               db: str | None = db_option) -> None:
        """Revoke a key at once: the API answers it 401 and its console sessions end, also on a
        server that is running."""
        from ..store import open_store

        store = open_store(db)
        try:
            known = store.revoke_key(key_id, dt.datetime.now(dt.UTC))
        finally:
            store.close()
        if not known:
            raise InputError(f"no key has the id {key_id!r}; see zhili keys list", path="ID")
        typer.echo(f"key {key_id} revoked")

    app.add_typer(keys_app, name="keys")


def _status(key, now: dt.datetime) -> str:
    if key.revoked is not None:
        return f"revoked {_shown(key.revoked)}"
    if key.expires is not None and now >= key.expires:
        return "expired"
    return "active"
