"""Administration of existing users and tokens: suspend, reactivate, re-vet, remove, grant,
revoke. Every command is audited by the service it calls (actor ``cli``)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from childindex import bootstrap
from childindex.cli.output import JsonOpt, emit, fail, out, reported_errors
from childindex.domain.permissions import GRANTABLE, Permission
from childindex.services import user_admin

Username = Annotated[str, typer.Argument(help="The user's name.")]
ACTOR = "cli"


def _report(result: dict[str, object], message: str, *, as_json: bool) -> None:
    emit(result, as_json=as_json, human=lambda: out.print(message, markup=False))


def suspend(username: Username, as_json: JsonOpt = False) -> None:
    """Suspend USERNAME: no sign-in, sessions ended, API tokens stop working."""
    container = bootstrap.build()
    with reported_errors():
        user_admin.set_suspended(
            uow=container.uow_factory(),
            username=username,
            suspended=True,
            actor=ACTOR,
            now=container.clock(),
        )
    _report({"username": username, "suspended": True}, f"suspended {username}", as_json=as_json)


def reactivate(username: Username, as_json: JsonOpt = False) -> None:
    """Lift a suspension of USERNAME."""
    container = bootstrap.build()
    with reported_errors():
        user_admin.set_suspended(
            uow=container.uow_factory(),
            username=username,
            suspended=False,
            actor=ACTOR,
            now=container.clock(),
        )
    _report({"username": username, "suspended": False}, f"reactivated {username}", as_json=as_json)


def sign_out(username: Username, as_json: JsonOpt = False) -> None:
    """End every page session of USERNAME now (they must sign in again)."""
    container = bootstrap.build()
    with reported_errors():
        ended = user_admin.end_sessions(
            uow=container.uow_factory(), username=username, actor=ACTOR, now=container.clock()
        )
    _report(
        {"username": username, "sessions_ended": ended},
        f"ended {ended} session(s) of {username}",
        as_json=as_json,
    )


def revet(
    username: Username,
    vetting_expires: Annotated[
        str, typer.Option("--vetting-expires", help="The new expiry, YYYY-MM-DD.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Record renewed vetting for USERNAME, valid until --vetting-expires."""
    try:
        expires = date.fromisoformat(vetting_expires)
    except ValueError:
        fail(f"--vetting-expires must be a date as YYYY-MM-DD, not {vetting_expires!r}")
    container = bootstrap.build()
    with reported_errors():
        user_admin.revet(
            uow=container.uow_factory(),
            username=username,
            vetting_expires=expires,
            actor=ACTOR,
            now=container.clock(),
        )
    _report(
        {"username": username, "vetting_expires": expires.isoformat()},
        f"{username} vetted until {expires.isoformat()}",
        as_json=as_json,
    )


def remove(
    username: Username,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove USERNAME, their tokens and sessions (the audit log keeps what they did)."""
    if not yes:
        fail("removing a user cannot be undone: add --yes to confirm")
    container = bootstrap.build()
    with reported_errors():
        user_admin.remove(
            uow=container.uow_factory(), username=username, actor=ACTOR, now=container.clock()
        )
    _report({"username": username, "removed": True}, f"removed {username}", as_json=as_json)


GRANT_NAMES = {"child-protection": Permission.CHILD_BREAK_GLASS} | {p.value: p for p in GRANTABLE}


def _grantable(name: str) -> Permission:
    chosen = GRANT_NAMES.get(name)
    if chosen is None:
        fail(f"only these can be granted: {', '.join(sorted(GRANT_NAMES))}; not {name!r}")
    return chosen


def grant(
    username: Username,
    permission: Annotated[str, typer.Argument(help="child-protection (break-glass).")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Take the grant away.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Grant USERNAME a permission beyond their role (child-protection: break-glass)."""
    chosen = _grantable(permission)
    container = bootstrap.build()
    with reported_errors():
        user = user_admin.set_grant(
            uow=container.uow_factory(),
            username=username,
            permission=chosen,
            granted=not withdraw,
            actor=ACTOR,
            now=container.clock(),
        )
    grants = sorted(g.value for g in user.grants)
    _report(
        {"username": username, "grants": grants},
        f"{username} grants: {', '.join(grants) or 'none'}",
        as_json=as_json,
    )


def revoke(
    username: Username,
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read the one token to revoke from stdin.")
    ] = False,
    revoke_all: Annotated[bool, typer.Option("--all", help="Revoke every token.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Revoke one API token of USERNAME (--token-stdin) or all of them (--all)."""
    if token_stdin == revoke_all:
        fail("say which: --token-stdin (one token, read from stdin) or --all")
    token = sys.stdin.readline().strip() if token_stdin else None
    container = bootstrap.build()
    with reported_errors():
        count = user_admin.revoke_tokens(
            uow=container.uow_factory(),
            username=username,
            token=token,
            actor=ACTOR,
            now=container.clock(),
        )
    _report(
        {"username": username, "revoked": count},
        f"revoked {count} token(s) of {username}",
        as_json=as_json,
    )
