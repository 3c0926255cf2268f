"""``stancewatch serve`` and ``stancewatch coders``: the review web app and its accounts."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stancewatch.cli.common import DbOption, app, console, errors_to_exit, out
from stancewatch.errors import InputError, StoreError

coders_app = typer.Typer(help="Coder accounts for the review web app.", no_args_is_help=True)
app.add_typer(coders_app, name="coders")


@app.command()
@errors_to_exit
def serve(
    db: DbOption,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    private: Annotated[
        bool, typer.Option("--private", help="Reading needs a login too (default: public).")
    ] = False,
    secret_key: Annotated[
        str | None,
        typer.Option(
            "--secret-key",
            envvar="STANCEWATCH_SECRET_KEY",
            help="Key that signs login-form CSRF tokens (default: random per start).",
        ),
    ] = None,
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples",
            min=0,
            max=10_000,
            help="Bootstrap resamples for alpha intervals (also the most an anonymous caller "
            "of /api/agreement may ask for).",
        ),
    ] = 1000,
    max_body: Annotated[
        int,
        typer.Option("--max-body", min=1024, help="Largest request body accepted, in bytes."),
    ] = 1 << 20,
    https: Annotated[
        bool,
        typer.Option(
            "--https",
            help="Served to users over HTTPS by a reverse proxy: cookies get the Secure flag "
            "and responses send Strict-Transport-Security.",
        ),
    ] = False,
    trust_proxy: Annotated[
        str | None,
        typer.Option(
            "--trust-proxy",
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-For gives "
            "the client address (used by the login back-off). Default: none.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (one per CPU core serves more requests at once; writes "
            "stay one at a time through the database's lock).",
        ),
    ] = 1,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            max=256,
            help="Worker threads per server process: how many requests of one process do "
            "their database work at once (default: 8).",
        ),
    ] = None,
) -> None:
    """Serve the browse, review and agreement pages and the JSON API over a database.

    Example: `stancewatch serve --db demo-output/demo.db --port 8000`
    """
    import uvicorn

    from stancewatch.web.app import APP_OPTIONS, create_app
    from stancewatch.web.workers import ReusePortWorkers, reuse_port_supported

    if not db.exists():
        raise StoreError(f"{db}: no such database; run `stancewatch demo` or `ingest` first")
    import json
    import os
    import secrets

    options: dict[str, Any] = {
        "db_path": str(db),
        "public": not private,
        # One key for every worker, so that a login form made by one is accepted by another.
        "secret_key": secret_key or secrets.token_urlsafe(32),
        "resamples": resamples,
        "max_body": max_body,
        "https": https,
        "threads": threads,
    }
    create_app(**options)  # creates or migrates the database once, before any worker starts
    console.print(f"Serving {db} on http://{host}:{port}/ ({'private' if private else 'public'})")
    os.environ[APP_OPTIONS] = json.dumps(options)
    server: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": trust_proxy is not None,
        "forwarded_allow_ips": trust_proxy or "",
        "server_header": False,
    }
    target = "stancewatch.web.app:app_from_environment"
    if workers > 1 and reuse_port_supported():
        # One listening socket per process, so that connections are spread evenly.
        config = uvicorn.Config(target, factory=True, workers=workers, **server)
        try:
            supervisor = ReusePortWorkers(config, workers)
        except OSError as exc:
            raise InputError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror})"
            ) from None
        if not supervisor.run():
            raise StoreError(
                f"{db}: a server process failed to start (its error is above); nothing is served"
            )
        return
    uvicorn.run(target, factory=True, workers=workers, **server)


@coders_app.command("add")
@errors_to_exit
def coders_add(
    name: Annotated[str, typer.Argument(help="The coder's login name.")],
    db: DbOption,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="STANCEWATCH_PASSWORD",
            help="Password (asked for when not given; at least 8 characters).",
        ),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: API token only.")
    ] = False,
    token: Annotated[
        bool, typer.Option("--token", help="Also create an API token (printed once).")
    ] = False,
    adjudicator: Annotated[
        bool, typer.Option("--adjudicator", help="May pick final labels.")
    ] = False,
) -> None:
    """Create a coder account with a password (hashed with Argon2) and/or an API token.

    Example: `stancewatch coders add ann --db demo-output/demo.db --adjudicator`
    """
    from stancewatch.store.database import Store
    from stancewatch.web.auth import add_coder

    if no_password and not token:
        raise InputError("--no-password needs --token, or the coder could never log in")
    if password is None and not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with Store(db) as store:
        created = add_coder(
            store,
            name,
            password=None if no_password else password,
            token=token,
            adjudicator=adjudicator,
        )
    role = "adjudicator" if adjudicator else "coder"
    console.print(f"Created {role} {created.coder.name!r} in {db}")
    if created.token:
        console.print("API token (shown once; send it as 'Authorization: Bearer TOKEN'):")
        out.print(created.token, highlight=False)


@coders_app.command("list")
@errors_to_exit
def coders_list(db: DbOption) -> None:
    """List coder accounts.

    Example: `stancewatch coders list --db demo-output/demo.db`
    """
    from stancewatch.store.database import Store
    from stancewatch.web.auth import coders

    with Store(db) as store:
        for coder in coders(store):
            out.print(f"{coder.name}\t{'adjudicator' if coder.adjudicator else 'coder'}")
