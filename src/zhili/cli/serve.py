"""`zhili serve` and `zhili demo`: the service and its console."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import InputError
from ..i18n import _

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...); default $ZHILI_DB or a SQLite file."


# The cyclic collector's youngest generation, in allocations. The service's folds are made of
# small records that form no cycles; at Python's default (700) the collector's passes over
# them cost about a tenth of ingestion.
GC_YOUNGEST = 20_000


def _serve(app, host: str, port: int) -> None:
    import gc

    import uvicorn

    gc.set_threshold(GC_YOUNGEST, *gc.get_threshold()[1:])
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        db: str | None = typer.Option(None, "--db", envvar="ZHILI_DB", help=DB_HELP),
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8000, envvar="ZHILI_PORT", help="TCP port."),
    ) -> None:
        """Serve the REST API (OpenAPI at /openapi.json) and the web console."""
        from ..api import create_app

        api = create_app(db)
        typer.echo(_("zhili serving on %(address)s (API /v1, OpenAPI /openapi.json)")
                   % {"address": f"http://{host}:{port}/"})
        _serve(api, host, port)


    @app.command("demo")
    def demo(
        db: str | None = typer.Option(None, "--db", envvar="ZHILI_DB",
                                      help="Where to build the demo (default: a new SQLite "
                                           "file in the user's data directory)."),
        report: Path | None = typer.Option(None, "--report",
                                           help="Write a static HTML report here and exit."),
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8000, envvar="ZHILI_PORT", help="TCP port."),
        seed: int = typer.Option(7, help="Random seed of the generated dataset."),
    ) -> None:
        """Build a year of realistic events and orders across every pack, then open the console."""
        from ..demo import build_demo, write_report

        url = db or _fresh_demo_url()
        typer.echo(_("building the demo dataset in %(url)s ...") % {"url": url}, err=True)
        built = build_demo(url, seed=seed, progress=lambda m: typer.echo(f"  {m}", err=True))
        if report is not None:
            write_report(built, report)
            typer.echo(_("report written to %(path)s") % {"path": report})
            return
        from ..api import create_app

        api = create_app(url)
        # Keys go on the terminal, never into a URL: the sign-in form takes them.
        typer.echo(_("zhili demo: open %(address)s and sign in with a key:")
                   % {"address": f"http://{host}:{port}/login"})
        typer.echo("  " + _("admin: %(key)s") % {"key": built.admin_key})
        typer.echo("  " + _("merchant %(subject)s: %(key)s")
                   % {"subject": built.merchant, "key": built.merchant_key})
        _serve(api, host, port)


def _fresh_demo_url() -> str:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("zhili"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{path}{suffix}")
        if target.exists():
            os.remove(target)
    if path.exists():
        raise InputError(_("cannot replace the old demo database %(path)s") % {"path": path})
    return f"sqlite:///{path}"
