"""Every kind of audit event. One tag per thing that happened, past tense."""

from __future__ import annotations

from enum import StrEnum


class AuditTag(StrEnum):
    """What an audit entry records."""

    SIGNED_IN = "auth:sign-in"
    SIGN_IN_FAILED = "auth:sign-in-failed"
    SIGNED_OUT = "auth:sign-out"
    CHILDREN_SEARCHED = "child:search"
    SHIELDED_CHILD_FOUND = "child:shielded-hit"
    CHILD_VIEWED = "child:view"
    FEED_LOADED = "feed:load"
    USER_CREATED = "admin:user-create"
    TOKEN_CREATED = "admin:token-create"  # noqa: S105 - a tag, not a secret
    ACCESS_DENIED = "auth:denied"
    SHIELD_SET = "child:shield-set"
    SHIELD_LIFTED = "child:shield-lift"
    SHIELD_REMINDERS_LISTED = "child:shield-reminders"
    CONTACT_REQUESTED = "child:contact-request"
    CONTACT_REQUESTS_LISTED = "child:contact-requests-list"
    CONTACT_REQUEST_CLOSED = "child:contact-request-close"
    REVIEW_LISTED = "matching:review-list"
    SHIELD_MONITORED = "child:shield-monitor"
    EXPOSURE_REPORTED = "audit:exposure"
    KEYS_ROTATED = "admin:keys-rotate"
