"""The error tree of the core.

Every error the core raises derives from :class:`ChildIndexError`. Adapters map the
tree to HTTP in exactly one place (``api/errors.py``)::

    ChildIndexError
    ├── InvalidInput            bad input from a client: 4xx, names the field at fault
    │   ├── InvalidChildId      a child ID whose check character is wrong (never looked up)
    │   ├── InvalidIdentifier   an NHS number or UPN failing its check
    │   └── InvalidCriteria     a search that is not allowed (no name or identifier, ...)
    ├── NotFound                no such thing *for this viewer*: 404
    ├── NotAuthenticated        no or bad credentials: 401
    ├── PermissionDenied        authenticated, but not granted: 403
    ├── Conflict                the state forbids it: 409
    │   ├── Halted              updates are halted (the halt switch): 409, code "halted"
    │   ├── StaleKeys           the stored blocking keys need ``matching reindex``: 409
    │   └── LoadTaken           another run has moved this feed load on: 409
    └── AuditFailure            the audit entry could not be written, so the work did not happen
"""

from __future__ import annotations


class ChildIndexError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ChildIndexError):
    """The client sent something wrong; ``field`` names where."""

    code = "invalid_input"


class InvalidChildId(InvalidInput):
    """A child ID that is malformed or fails its check character."""

    code = "invalid_child_id"


class InvalidIdentifier(InvalidInput):
    """An NHS number or UPN that fails its check."""

    code = "invalid_identifier"


class InvalidCriteria(InvalidInput):
    """A search that cannot be run as asked."""

    code = "invalid_criteria"


class NotFound(ChildIndexError):
    """Nothing this viewer may know of exists under that key."""

    code = "not_found"


class NotAuthenticated(ChildIndexError):
    """No valid credentials were presented."""

    code = "not_authenticated"


class PermissionDenied(ChildIndexError):
    """The viewer is known but not granted this."""

    code = "forbidden"


class Conflict(ChildIndexError):
    """The current state forbids the request."""

    code = "conflict"


class Halted(Conflict):
    """Updates are halted: the edit is refused (feeds are queued instead)."""

    code = "halted"


class StaleKeys(Conflict):
    """The stored blocking keys were made by other rules than this version's: matching
    would miss held children, so it is refused until ``childindex matching reindex``."""

    code = "stale_keys"


class LoadTaken(Conflict):
    """Another run of the same feed load (the same content, resumed) has committed batches
    this run did not: this run stops, so that no line is processed twice."""

    code = "load_taken"


class AuditFailure(ChildIndexError):
    """The audit entry could not be written; the work was rolled back."""

    code = "audit_failure"
