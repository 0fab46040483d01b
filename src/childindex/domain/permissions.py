"""Permissions (``scope:resource:action``) and what each role is granted.

Least privilege: a role not listed here, or a permission not granted to it, sees nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is, for the purpose of granting permissions."""

    PRACTITIONER = "practitioner"
    LA_OFFICER = "la-officer"
    ADMIN = "admin"
    AUDITOR = "auditor"
    FEED = "feed"


class Permission(StrEnum):
    """Everything a route or command may demand."""

    CHILD_SEARCH = "child:record:search"
    CHILD_READ = "child:record:read"
    CHILD_SHIELD_SET = "child:shield:set"
    CHILD_SHIELD_LIFT = "child:shield:lift"
    CHILD_CONTACT_REQUEST = "child:contact:request"
    CHILD_CONTACT_MANAGE = "child:contact:manage"
    REVIEW_READ = "matching:review:read"
    REVIEW_DECIDE = "matching:review:decide"
    FEED_SUBMIT = "feed:record:submit"
    LINKS_EXPORT = "matching:links:export"
    USERS_MANAGE = "admin:user:manage"
    HALT_MANAGE = "admin:halt:manage"
    AUDIT_READ = "audit:event:read"
    # Self-service, for people only: change one's own password; manage one's own API tokens.
    ACCOUNT_PASSWORD_CHANGE = "account:password:change"  # noqa: S105 - a name, not a secret
    ACCOUNT_TOKENS_MANAGE = "account:token:manage"
    # A per-user grant, never a role's: open a shielded child's record for one session.
    CHILD_BREAK_GLASS = "child:shield:break-glass"


_PRACTITIONER = frozenset(
    {
        Permission.CHILD_SEARCH,
        Permission.CHILD_READ,
        Permission.CHILD_CONTACT_REQUEST,
        Permission.ACCOUNT_PASSWORD_CHANGE,
        Permission.ACCOUNT_TOKENS_MANAGE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PRACTITIONER: _PRACTITIONER,
    Role.LA_OFFICER: _PRACTITIONER
    | {
        Permission.CHILD_SHIELD_SET,
        Permission.CHILD_SHIELD_LIFT,
        Permission.REVIEW_READ,
        Permission.REVIEW_DECIDE,
        Permission.LINKS_EXPORT,
        Permission.CHILD_CONTACT_MANAGE,
    },
    Role.ADMIN: _PRACTITIONER
    | {
        Permission.CHILD_SHIELD_SET,
        Permission.CHILD_SHIELD_LIFT,
        Permission.USERS_MANAGE,
        Permission.HALT_MANAGE,
        Permission.LINKS_EXPORT,
        Permission.CHILD_CONTACT_MANAGE,
        Permission.REVIEW_READ,
    },
    # Auditors use the pages only (no API route serves them), so they hold no token permission.
    Role.AUDITOR: frozenset({Permission.AUDIT_READ, Permission.ACCOUNT_PASSWORD_CHANGE}),
    Role.FEED: frozenset({Permission.FEED_SUBMIT}),
}


# Permissions granted to individual people on top of their role (never to feed accounts).
GRANTABLE: frozenset[Permission] = frozenset({Permission.CHILD_BREAK_GLASS})


def permissions_for(role: Role) -> frozenset[Permission]:
    """The permissions granted to ``role`` (empty for anything unknown)."""
    return ROLE_PERMISSIONS.get(role, frozenset())
