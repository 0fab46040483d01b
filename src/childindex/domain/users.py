"""Users as the core knows them: who is acting, with which role and authority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from childindex.domain.permissions import GRANTABLE, Permission, Role, permissions_for


class UserStatus(StrEnum):
    """Whether a user may sign in now, and if not, why not."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    VETTING_EXPIRED = "vetting-expired"


@dataclass(frozen=True, slots=True)
class User:
    """A vetted person or a system (feed) account."""

    user_id: int
    username: str
    role: Role
    la_code: str | None
    organisation: str | None
    vetting_expires: date | None
    suspended: bool = False
    grants: frozenset[Permission] = frozenset()

    def permissions(self) -> frozenset[Permission]:
        """The role's permissions plus any grantable ones given to this person."""
        extra = self.grants & GRANTABLE if self.role is not Role.FEED else frozenset()
        return permissions_for(self.role) | extra

    def vetting_current(self, today: date) -> bool:
        """True while vetting has not expired (system accounts carry no expiry)."""
        return self.vetting_expires is None or today <= self.vetting_expires

    @property
    def needs_second_factor(self) -> bool:
        """People sign in with two factors; system (feed) accounts never sign in to pages."""
        return self.role is not Role.FEED

    def status(self, today: date) -> UserStatus:
        """Active, suspended, or past their vetting expiry (suspension wins)."""
        if self.suspended:
            return UserStatus.SUSPENDED
        if not self.vetting_current(today):
            return UserStatus.VETTING_EXPIRED
        return UserStatus.ACTIVE
