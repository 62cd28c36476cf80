"""`zhili keys`: make, list and revoke the API keys of the REST API and the console."""

from __future__ import annotations

import datetime as dt
import re

import typer

from ..errors import InputError
from ..i18n import N_, _, ngettext
from .helptext import TranslatedTyper

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...); default $ZHILI_DB or a SQLite file."
KEY_COLUMNS = (N_("id"), N_("role"), N_("subject"), N_("created"), N_("last used"),
               N_("expires"), N_("status"))
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
            raise InputError(_("%(reason)s, or a span such as 90d") % {"reason": err.message},
                             path="--expires") from None
    if when <= now:
        raise InputError(_("expected a time after now, got %(value)s") % {"value": repr(value)},
                         path="--expires")
    return when


def _shown(t: dt.datetime | None, empty: str = "-") -> str:
    from ..timekit import fmt

    return empty if t is None else fmt(t)


def register(app: typer.Typer) -> None:
    keys_app = TranslatedTyper(help="API keys for the REST API and the console.",
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
        facts = {"id": key_id, "role": role, "subject": subject or "-",
                 "expires": _shown(until, _("never"))}
        typer.echo(_("key id %(id)s, role %(role)s, subject %(subject)s, expires %(expires)s. "
                     "Keep the key now: it is not stored and cannot be shown again.") % facts,
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
        never = _("never")
        rows = [[k.id, k.role, k.subject or "-", _shown(k.created), _shown(k.last_used, never),
                 _shown(k.expires, never), _status(k, now)] for k in found]
        title = ngettext("%(n)d API key", "%(n)d API keys", len(rows)) % {"n": len(rows)}
        Console().print(table(title, [_(h) for h in KEY_COLUMNS], rows))

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
            raise InputError(_("no key has the id %(id)s; see zhili keys list")
                             % {"id": repr(key_id)}, path="ID")
        typer.echo(_("key %(id)s revoked") % {"id": key_id})

    app.add_typer(keys_app, name="keys")


def _status(key, now: dt.datetime) -> str:
    if key.revoked is not None:
        return _("revoked %(at)s") % {"at": _shown(key.revoked)}
    if key.expires is not None and now >= key.expires:
        return _("expired")
    return _("active")
