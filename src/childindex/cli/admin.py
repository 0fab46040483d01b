"""Administration commands: ``users``, ``tokens``, ``audit``, ``admin sessions``."""

from __future__ import annotations

import re
import sys
from datetime import date, timedelta
from typing import Annotated

import pyotp
import typer

from childindex import bootstrap
from childindex.auth.session_middleware import session_limits
from childindex.cli.output import JsonOpt, emit, fail, out, reported_errors
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.services import accounts, auditing, exposure, web_sessions

users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
admin_app = typer.Typer(help="Housekeeping.", no_args_is_help=True)
sessions_app = typer.Typer(help="Page sessions.", no_args_is_help=True)
admin_app.add_typer(sessions_app, name="sessions")

_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``1h``, ``7d``, ``2w`` -> a timedelta; fail with a clear reason otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        fail(f"--expires-in must look like 30m, 1h, 7d or 2w, not {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        Role, typer.Option("--role", help="practitioner, la-officer, admin, auditor, feed")
    ],
    la: Annotated[str | None, typer.Option("--la", help="Local-authority code.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
    vetting_expires: Annotated[
        str | None, typer.Option("--vetting-expires", help="YYYY-MM-DD (default: three years).")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a user; prints the generated password (unless --password-stdin) and TOTP secret."""
    container = bootstrap.build()
    now = container.clock()
    try:
        expires = date.fromisoformat(vetting_expires) if vetting_expires else None
    except ValueError:
        fail(f"--vetting-expires must be a date as YYYY-MM-DD, not {vetting_expires!r}")
    if expires is None and role is not Role.FEED:
        expires = now.date() + timedelta(days=3 * 365)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with reported_errors():
        created = accounts.create_user(
            uow=container.uow_factory(),
            hasher=container.hasher,
            username=username,
            role=role,
            la_code=la,
            organisation=org,
            vetting_expires=expires,
            password=password,
            totp_secret=pyotp.random_base32(),
            actor="cli",
            now=now,
        )
    result = {
        "username": username,
        "role": role.value,
        "la_code": la,
        "vetting_expires": expires.isoformat() if expires else None,
        "password": None if password_stdin else created.password,
        "totp_secret": created.totp_secret,
    }

    def human() -> None:
        out.print(f"created {role.value} {username}")
        if not password_stdin:
            out.print(f"password: {created.password}", markup=False)
        if created.totp_secret:
            out.print(f"TOTP secret: {created.totp_secret}", markup=False)

    emit(result, as_json=as_json, human=human)


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument()],
    expires_in: Annotated[str | None, typer.Option("--expires-in", help="e.g. 1h, 7d")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a bearer API token acting as USERNAME (shown once; only its hash is kept)."""
    container = bootstrap.build()
    lifetime = parse_duration(expires_in) if expires_in else None
    with reported_errors():
        token = accounts.create_token(
            uow=container.uow_factory(),
            username=username,
            expires_in=lifetime,
            actor="cli",
            now=container.clock(),
        )
    emit({"username": username, "token": token}, as_json=as_json, human=lambda: print(token))  # noqa: T201


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Verify the audit log's hash chain; exit non-zero on any tampering."""
    container = bootstrap.build()
    checked, broken = auditing.verify_chain(uow=container.uow_factory())
    emit(
        {"entries": checked, "first_broken": broken},
        as_json=as_json,
        human=lambda: out.print(f"{checked:,} audit entries verified"),
    )
    if broken is not None:
        fail(f"audit log broken at entry {broken}: it has been altered")


@audit_app.command("exposure")
def audit_exposure(
    child_id: Annotated[str, typer.Argument(help="The child's ID.")], as_json: JsonOpt = False
) -> None:
    """Who was shown which non-public fields of CHILD_ID, when, and by which path."""
    container = bootstrap.build()
    with reported_errors():
        parsed = ChildId.parse(child_id)
        shown = exposure.exposure_report(
            uow=container.uow_factory(), child_id=parsed, actor="cli", now=container.clock()
        )
    rows = [
        {
            "username": e.username,
            "at": e.at.isoformat(),
            "path": e.path,
            "fields": list(e.fields),
            "shielded_at_the_time": e.shielded_at_the_time,
        }
        for e in shown
    ]

    def human() -> None:
        out.print(f"{len(rows):,} showings of non-public fields of {parsed}")
        for e in shown:
            out.print(f"{e.at.isoformat()}  {e.username}  {e.path}: {', '.join(e.fields)}")

    emit({"child_id": str(parsed), "exposures": rows}, as_json=as_json, human=human)


@sessions_app.command("purge")
def sessions_purge(as_json: JsonOpt = False) -> None:
    """Delete every page session past its idle or absolute timeout (audited if any)."""
    container = bootstrap.build()
    with reported_errors():
        purged = web_sessions.purge(
            uow=container.uow_factory(),
            now=container.clock(),
            limits=session_limits(container.settings),
            actor="cli",
        )
    emit(
        {"purged": purged},
        as_json=as_json,
        human=lambda: out.print(f"purged {purged:,} expired session(s)"),
    )
