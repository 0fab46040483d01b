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
    TOTP_ENROLMENT_STARTED = "auth:totp-enrolment-start"
    TOTP_ENROLLED = "auth:totp-enrolled"
    USER_SUSPENDED = "admin:user-suspend"
    USER_REACTIVATED = "admin:user-reactivate"
    USER_REVETTED = "admin:user-revet"
    USER_REMOVED = "admin:user-remove"
    SESSIONS_ENDED = "admin:sessions-end"
    USER_GRANTED = "admin:user-grant"
    USER_GRANT_WITHDRAWN = "admin:user-grant-withdraw"
    TOKENS_REVOKED = "admin:token-revoke"
    BREAK_GLASS = "child:break-glass"
    REVIEW_LISTED = "matching:review-list"
    REVIEW_DECIDED = "matching:review-decide"
    CHILDREN_MERGED = "matching:merge"
    MERGE_UNDONE = "matching:merge-undo"
    LINKS_EXPORTED = "matching:links-export"
    CHILD_SPLIT = "matching:split"
    SHIELD_SET = "child:shield-set"
    SHIELD_LIFTED = "child:shield-lift"
    SHIELD_REMINDERS_LISTED = "child:shield-reminders"
    CONTACT_REQUESTED = "child:contact-request"
    CONTACT_REQUESTS_LISTED = "child:contact-requests-list"
    CONTACT_REQUEST_CLOSED = "child:contact-request-close"
    SHIELD_MONITORED = "child:shield-monitor"
    EXPOSURE_REPORTED = "audit:exposure"
    KEYS_ROTATED = "admin:keys-rotate"
    HALT_ON = "admin:halt-on"
    HALT_OFF = "admin:halt-off"
    HALT_STATUS_READ = "admin:halt-status"
    FEED_QUEUED = "feed:queue"
    QUEUED_FEED_LOADED = "feed:queue-load"
    USERS_LISTED = "admin:users-list"
    USER_VIEWED = "admin:user-view"
    TOTP_RESET = "admin:totp-reset"
    SESSIONS_PURGED = "admin:sessions-purge"
    PASSWORD_CHANGED = "auth:password-change"  # noqa: S105 - a tag, not a secret
    PASSWORD_CHANGE_FAILED = "auth:password-change-failed"  # noqa: S105 - a tag, not a secret
    AREAS_LOADED = "admin:areas-load"
    CHILDREN_ROUTED = "admin:children-route"
