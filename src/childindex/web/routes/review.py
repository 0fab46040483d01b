"""``/review``: the review queue for officers, and undoing a merge.

The list and each item come from ``services/review.py`` (one shield-aware rule for who may
know of an item); the two children of a pair are read through the one door
(``services/door.py``), so what is shown of each is what ``policy/redact.py`` allows, and
each read is audited with the item as its reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.domain.review import ReviewAction
from childindex.policy.viewer import Viewer
from childindex.policy.views import ReviewItemView, ReviewList
from childindex.services import door, review
from childindex.web.pages import page_router
from childindex.web.presenters import present_child
from childindex.web.templating import render

router = page_router()

ItemId = Annotated[str, Path(min_length=1, max_length=20)]
KIND_TEXT = {
    "match": "Possible match",
    "caution": "Might be a shielded child",
}
ACTION_TEXT = {
    ReviewAction.LINK: "Link",
    ReviewAction.NOT_A_MATCH: "Not a match",
    ReviewAction.MERGE: "Merge",
}
# Match weights are log-odds (about -10 to 10); the screen's parts run from 0 to 1.
_SCALES = {"match": (-10.0, 10.0), "caution": (0.0, 1.0)}


def _weights(item: ReviewItemView) -> list[dict[str, object]]:
    low, high = _SCALES.get(item.kind, (-10.0, 10.0))
    return [
        {
            "field": name.replace("_", " "),
            "value": value,
            "meter": min(high, max(low, value)),
            "low": low,
            "high": high,
        }
        for name, value in sorted(item.weights.items())
    ]


def _pagination(listed: ReviewList) -> dict[str, object] | None:
    """GOV.UK pagination for the list: first, last, and the pages either side of this one,
    with ellipses between (None when everything fits on one page)."""
    if listed.pages <= 1:
        return None
    wanted = {1, listed.pages, listed.page - 1, listed.page, listed.page + 1}
    items: list[dict[str, object]] = []
    last = 0
    for number in sorted(n for n in wanted if 1 <= n <= listed.pages):
        if number - last > 1:
            items.append({"ellipsis": True})
        href = f"/review?page={number}"
        items.append({"number": str(number), "href": href, "current": number == listed.page})
        last = number
    pagination: dict[str, object] = {"items": items, "landmarkLabel": "Review queue pages"}
    if 1 < listed.page <= listed.pages:
        pagination["previous"] = {"href": f"/review?page={listed.page - 1}"}
    if listed.page < listed.pages:
        pagination["next"] = {"href": f"/review?page={listed.page + 1}"}
    return pagination


@router.get("/review")
def review_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_READ))],
    container: ContainerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """A page of the open review items you may know of."""
    listed = review.list_review(
        uow=container.uow_factory(), viewer=viewer, now=container.clock(), page=page
    )
    context = {
        "items": listed.items,
        "listed": listed,
        "pagination": _pagination(listed),
        "kinds": KIND_TEXT,
        "may_review": True,
    }
    return render(request, "review_list.html", context)


@router.get("/review/{item_id}")
def review_item(
    request: Request,
    item_id: ItemId,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_READ))],
    container: ContainerDep,
) -> HTMLResponse:
    """One item: the two children side by side as you may see them, and why they scored."""
    now = container.clock()
    item = review.review_item(uow=container.uow_factory(), viewer=viewer, item_id=item_id, now=now)
    reason = f"review item {item.item_id}"
    children = [
        present_child(
            door.read_child(
                uow=container.uow_factory(),
                viewer=viewer,
                child_id=ChildId.parse(child_id),
                reason=reason,
                now=now,
            )
        )
        for child_id in (item.record_child_id, item.candidate_child_id)
    ]
    context = {
        "item": item,
        "kind": KIND_TEXT.get(item.kind, item.kind),
        "children": children,
        "weights": _weights(item),
        "actions": [{"value": a.value, "text": t} for a, t in ACTION_TEXT.items()],
        "may_decide": item.may_decide and item.status == "open",
        "may_review": True,
    }
    return render(request, "review_item.html", context)


@router.post("/review/{item_id}")
def decide(
    request: Request,
    item_id: ItemId,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
    action: Annotated[ReviewAction, Form()],
) -> HTMLResponse:
    """Record your decision on an item (with the CSRF token)."""
    result = review.decide_review(
        uow=container.uow_factory(),
        viewer=viewer,
        item_id=item_id,
        action=action,
        now=container.clock(),
    )
    context = {"result": result, "action_text": ACTION_TEXT[action], "may_review": True}
    return render(request, "review_decided.html", context)


@router.post("/children/{child_id}/undo-merge")
def undo_merge(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
) -> HTMLResponse:
    """Undo the merge that retired this child (with the CSRF token)."""
    result = review.undo_merge_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        now=container.clock(),
    )
    return render(request, "merge_undone.html", {"result": result, "may_review": True})
