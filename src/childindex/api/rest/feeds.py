"""``POST /api/v1/feeds/{source}``: a feeding system sends records; the same load as the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from childindex.api.schemas import FeedQueuedRead
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import InvalidInput
from childindex.domain.halt import FeedKind
from childindex.domain.permissions import Permission
from childindex.domain.source_record import RecordError, Source
from childindex.feeds.formats import read_json_body
from childindex.policy.viewer import Viewer
from childindex.services import feed_intake, ingest

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_LISTED = 1000  # errors and warnings listed in a response; the counts tell the whole truth


class RecordProblem(BaseModel):
    """One thing wrong with one record: where (line or array position, field) and what."""

    line: int
    field: str | None
    message: str


class FeedReport(BaseModel):
    """What a load did: the CLI's counts, and the first problems found."""

    source: str
    load_id: int
    read: int
    accepted: int
    rejected: int
    linked: int
    review: int
    new: int
    shielded: int
    unchanged: int
    stale: int
    warnings: int
    errors: list[RecordProblem]
    warning_list: list[RecordProblem]


def _listed(into: list[RecordProblem]) -> Any:
    def note(problem: RecordError) -> None:
        if len(into) < MAX_LISTED:
            into.append(
                RecordProblem(line=problem.line, field=problem.field, message=problem.message)
            )

    return note


@router.post(
    "/{source}",
    response_model=FeedReport,
    responses={202: {"model": FeedQueuedRead, "description": "Updates are halted: queued."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
async def submit_feed(
    source: Source,
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.FEED_SUBMIT))],
    container: ContainerDep,
) -> Any:
    """Load records sent as NDJSON or a JSON array; each record is judged on its own.
    While updates are halted the records are queued instead (202), loaded when it lifts."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput("the body is over 64 MiB: send the feed in parts", field="body")
    now = container.clock()
    filename = f"api:{viewer.username}"
    lines = read_json_body(body, source=source, file=filename, now=now)
    queued = await run_in_threadpool(
        feed_intake.queue_if_halted,
        uow_factory=container.uow_factory,
        source=source,
        kind=FeedKind.API,
        filename=filename,
        data=body,
        actor=viewer.username,
        now=now,
    )
    if queued is not None:
        accepted = FeedQueuedRead(
            queued=True,
            message=queued.message(),
            reason=queued.reason,
            item=queued.item_id,
            position=queued.position,
        )
        return JSONResponse(accepted.model_dump(), status_code=202)
    errors: list[RecordProblem] = []
    warnings: list[RecordProblem] = []
    report = await run_in_threadpool(
        ingest.load_feed,
        uow_factory=container.uow_factory,
        source=source,
        filename=filename,
        data=body,
        lines=lines,
        actor=viewer.username,
        now=now,
        on_error=_listed(errors),
        on_warning=_listed(warnings),
        engine=container.engine,
    )
    return FeedReport(source=source.value, **report.counts(), errors=errors, warning_list=warnings)
