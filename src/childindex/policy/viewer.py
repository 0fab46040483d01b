"""Who is looking: everything the policy needs to know about a viewer, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from childindex.domain.permissions import Permission, Role
from childindex.domain.users import User


class OrgKind(StrEnum):
    """The kind of body a user works for: decides which source identifiers they may see."""

    HEALTH = "health"
    EDUCATION = "education"
    LOCAL_AUTHORITY = "la"
    NATIONAL = "national"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A named viewer: the only input besides the child that redaction depends on."""

    user_id: int
    username: str
    role: Role
    la_code: str | None
    org_kind: OrgKind = OrgKind.OTHER
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    # Local authorities whose shielded children this viewer is cleared to see.
    shield_clearance_las: frozenset[str] = field(default_factory=frozenset)
    # Shielded children this viewer broke glass for, in this session only (audited, alerted).
    break_glass_children: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user: User, *, org_kind: OrgKind = OrgKind.OTHER) -> Viewer:
        """The viewer for ``user``: role permissions; officers cleared for their own LA."""
        clearance: frozenset[str] = frozenset()
        if user.role is Role.LA_OFFICER and user.la_code:
            clearance = frozenset({user.la_code})
        return cls(
            user_id=user.user_id,
            username=user.username,
            role=user.role,
            la_code=user.la_code,
            org_kind=org_kind,
            permissions=user.permissions(),
            shield_clearance_las=clearance,
        )

    def with_break_glass(self, child_ids: frozenset[str]) -> Viewer:
        """This viewer with a session's break-glass children (only if still granted)."""
        if not child_ids or not self.can(Permission.CHILD_BREAK_GLASS):
            return self
        return replace(self, break_glass_children=frozenset(child_ids))

    def can(self, permission: Permission) -> bool:
        """True if this viewer holds ``permission``."""
        return permission in self.permissions

    def cleared_for(self, la_code: str | None) -> bool:
        """True if cleared to see shielded children of ``la_code``."""
        return la_code is not None and la_code in self.shield_clearance_las
