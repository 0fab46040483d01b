"""``/sign-out``: end the session (a POST form, so no link or image can sign anyone out).

With ``everywhere`` set, every other session of the same user ends too (a lost laptop).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import RedirectResponse

from childindex.auth.dependencies import SESSION_USER, ContainerDep
from childindex.services import sessions
from childindex.web.pages import page_router

router = page_router()


@router.post("/sign-out")
def sign_out(
    request: Request, container: ContainerDep, everywhere: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Forget who this session belonged to (and, if asked, end all their sessions)."""
    username = request.session.get(SESSION_USER)
    request.session.clear()
    if isinstance(username, str):
        sessions.sign_out(
            uow_factory=container.uow_factory,
            username=username,
            now=container.clock(),
            everywhere=bool(everywhere),
        )
    return RedirectResponse("/", status_code=303)
