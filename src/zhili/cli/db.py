"""`zhili db`: the store's database schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from ..errors import ZhiliError
from ..i18n import _
from .helptext import TranslatedTyper

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...); default $ZHILI_DB or a SQLite file."


def register(app: typer.Typer) -> None:
    db_app = TranslatedTyper(help="Manage the event store's database.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade(
        db: str | None = typer.Option(None, "--db", help=DB_HELP),
        revision: str = typer.Option("head", help="Target schema revision."),
    ) -> None:
        """Create the schema, or upgrade it to the newest revision (safe to run again)."""
        from sqlalchemy.exc import SQLAlchemyError

        from ..store import default_url, make_engine
        from ..store.engines import database_error
        from ..store.migrate import upgrade as run_upgrade

        url = db or default_url()
        if url.strip().lower().startswith("memory:"):
            raise ZhiliError(_("memory:// keeps no schema; give a sqlite:// or postgresql:// "
                               "URL"))
        engine = make_engine(url)
        shown = make_url(engine.url).render_as_string(hide_password=True)
        try:
            before, after = run_upgrade(engine, revision)
        except SQLAlchemyError as err:
            raise database_error(engine, err, upgrading=True) from None
        finally:
            engine.dispose()
        if before == after:
            typer.echo(_("%(db)s: schema already at revision %(after)s") % {
                "db": shown, "after": after})
        elif before:
            typer.echo(_("%(db)s: schema upgraded from %(before)s to %(after)s") % {
                "db": shown, "before": before, "after": after})
        else:
            typer.echo(_("%(db)s: schema created at revision %(after)s") % {
                "db": shown, "after": after})

    app.add_typer(db_app, name="db")
