"""How commands report: one-line failures, JSON for machines, progress on terminals."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from childindex.domain.errors import ChildIndexError

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


# The ``--json`` option every command that reports a result takes.
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable result.")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line reason and exit non-zero."""
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn core errors into a one-line reason and exit 1."""
    try:
        yield
    except ChildIndexError as exc:
        where = f" ({exc.field})" if exc.field else ""
        fail(f"{exc.message}{where}")


def emit(result: dict[str, Any], *, as_json: bool, human: Callable[[], None]) -> None:
    """Print ``result`` as JSON, or call ``human`` to print it for people."""
    if as_json:
        sys.stdout.write(json.dumps(result, default=str, sort_keys=True) + "\n")
    else:
        human()


@contextmanager
def progress(total: int | None, description: str) -> Iterator[Callable[[int, str], None]]:
    """A progress bar on a terminal, silent otherwise; yields ``update(done, extra)``."""
    if not err.is_terminal:
        yield lambda _done, _extra: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}"),
        TextColumn("{task.fields[extra]}"),
        TimeRemainingColumn(),
        console=err,
    )
    with bar:
        task = bar.add_task(description, total=total, extra="")

        def update(done: int, extra: str) -> None:
            bar.update(task, completed=done, extra=extra)

        yield update
