"""The ``childindex`` command: thin Typer sub-apps over the services."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from childindex import bootstrap
from childindex.cli import (
    admin,
    areas,
    data,
    halt,
    keys,
    matching,
    service,
    shield,
    user_admin,
)
from childindex.storage.cipher import CipherError

app = typer.Typer(
    name="childindex",
    help="A national child index: load feeds, manage users, run the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _close_connections_at_the_end(ctx: typer.Context) -> None:
    """A national child index: load feeds, manage users, run the service."""
    # A command's database connections close when it ends, not when the interpreter does.
    ctx.call_on_close(bootstrap.close_all)


app.add_typer(data.db_app, name="db")
app.add_typer(data.feeds_app, name="feeds")
app.command("synth")(data.synth)
for name, command in (
    ("suspend", user_admin.suspend),
    ("reactivate", user_admin.reactivate),
    ("revet", user_admin.revet),
    ("remove", user_admin.remove),
    ("sign-out", user_admin.sign_out),
    ("grant", user_admin.grant),
):
    admin.users_app.command(name)(command)
admin.tokens_app.command("revoke")(user_admin.revoke)
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.tokens_app, name="tokens")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(admin.admin_app, name="admin")
app.add_typer(matching.matching_app, name="matching")
app.add_typer(matching.export_app, name="export")
app.add_typer(shield.shield_app, name="shield")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(halt.halt_app, name="halt")
admin.admin_app.add_typer(areas.areas_app, name="areas")
app.command("serve")(service.serve)
app.command("demo")(service.demo)


def main() -> None:
    """Entry point of the console script: configuration problems get a one-line reason."""
    try:
        app()
    except ValidationError as exc:
        reasons = "; ".join(
            str(e["msg"]).removeprefix("Value error, ") for e in exc.errors(include_url=False)
        )
        sys.stderr.write(f"error: settings: {reasons}\n")
        sys.exit(2)
    except CipherError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
