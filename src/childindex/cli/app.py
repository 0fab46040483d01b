"""The ``childindex`` command: thin Typer sub-apps over the services."""

from __future__ import annotations

import typer

from childindex.cli import admin, data, keys, service, shield

app = typer.Typer(
    name="childindex",
    help="A national child index: load feeds, manage users, run the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data.db_app, name="db")
app.add_typer(data.feeds_app, name="feeds")
app.command("synth")(data.synth)
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.tokens_app, name="tokens")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(shield.shield_app, name="shield")
app.add_typer(keys.keys_app, name="keys")
app.command("serve")(service.serve)
app.command("demo")(service.demo)


def main() -> None:
    """Entry point of the console script."""
    app()
