"""``/``: the start page, open to everyone."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from childindex.web.pages import page_router
from childindex.web.templating import render

router = page_router()


@router.get("/")
def start(request: Request) -> HTMLResponse:
    """What the service is, and the way in."""
    return render(request, "start.html")
