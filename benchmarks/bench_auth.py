"""Benchmark sign-in: how long a failed sign-in takes for a real user (wrong password) and
for a user who does not exist (they should match: no enumeration by timing), a locked-out
attempt, and a whole successful sign-in. Runs the services on a fresh SQLite file.

Prints Markdown table rows: case, attempts, median and 90th percentile milliseconds, machine,
date and command.

    uv run python benchmarks/bench_auth.py [--attempts N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from childindex.auth.passwords import Argon2PasswordHasher
from childindex.domain.permissions import Role
from childindex.services import accounts, sessions
from childindex.storage.cipher import FieldCipher, new_key
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}"


def _timed(attempt: Callable[[int], object], attempts: int) -> tuple[float, float]:
    times = []
    for n in range(attempts):
        started = time.perf_counter()
        attempt(n)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark sign-in.")
    parser.add_argument("--attempts", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'auth.db'}"
        upgrade(url)
        engine = make_engine(url)
        uow_factory = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(new_key()))
        hasher = Argon2PasswordHasher()
        now = datetime.now(UTC)
        secret = pyotp.random_base32()
        created = accounts.create_user(
            uow=uow_factory(),
            hasher=hasher,
            username="bench-user",
            role=Role.PRACTITIONER,
            la_code=None,
            organisation=None,
            vetting_expires=None,
            password=None,
            totp_secret=secret,
            actor="bench",
            now=now,
        )

        def attempt(username: str, password: str, client: str, at: datetime) -> bool:
            outcome = sessions.sign_in(
                uow_factory=uow_factory,
                hasher=hasher,
                username=username,
                password=password,
                code=pyotp.TOTP(secret).at(at),
                client=client,
                now=at,
            )
            return outcome.user is not None

        # Each case runs at its own time and from its own addresses, so that only the
        # locked-out case meets a lock: a real user's wrong password gets a fresh window each time.
        window = sessions.WINDOW + timedelta(minutes=1)
        locked_at = now + timedelta(days=30)
        with uow_factory() as uow:
            for _ in range(sessions.ACCOUNT_LIMIT):
                uow.security.failure_add("account:bench-user", locked_at)
            uow.commit()
        later = now + timedelta(days=60)
        cases: list[tuple[str, Callable[[int], object]]] = [
            (
                "wrong password, real user",
                lambda n: attempt(
                    "bench-user", "wrong-password-x", "198.51.100.1", now + n * window
                ),
            ),
            (
                "unknown user",
                lambda n: attempt(f"nobody-{n}", "wrong-password-x", f"203.0.113.{n}", now),
            ),
            (
                "locked-out account",
                lambda n: attempt("bench-user", "wrong-password-x", f"192.0.2.{n}", locked_at),
            ),
            (
                "successful sign-in (password + TOTP)",
                lambda n: attempt(
                    "bench-user", created.password, "192.0.2.250", later + timedelta(seconds=30 * n)
                ),
            ),
        ]
        command = "uv run python benchmarks/bench_auth.py " + " ".join(sys.argv[1:])
        print("| case | attempts | median ms | p90 ms | machine | date | command |")
        print("|---|---|---|---|---|---|---|")
        for name, run in cases:
            median, p90 = _timed(run, args.attempts)
            print(
                f"| {name} | {args.attempts} | {median:.1f} | {p90:.1f} | {_machine()} | "
                f"{datetime.now(UTC).date().isoformat()} | `{command.strip()}` |"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
