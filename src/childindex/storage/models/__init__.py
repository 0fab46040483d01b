"""The storage rows. They never leave the storage package: repositories return domain values.

::

    feed_loads ─< raw_records ─< source_record_versions >─ source_records ─< links >─ children
    children ─< child_search_keys, shields, links
    users ─< api_tokens    web_sessions, sign_in_failures, recovery_codes, break_glass_alerts
    children ─< child_search_keys, shields, links, caution_items,
                contact_requests
    users ─< api_tokens
    audit_events (hash-chained, append-only)    system_state (the halt switch, ...)
    feed_queue >─ feed_loads (feeds accepted during a halt, loaded in arrival order)
    postcode_areas (reference data: postcode district -> local authority)
"""

from childindex.storage.models.accounts import ApiTokenRow, UserRow
from childindex.storage.models.areas import PostcodeAreaRow
from childindex.storage.models.audit import AuditEventRow, SystemStateRow
from childindex.storage.models.base import Base, UtcDateTime
from childindex.storage.models.children import (
    CHILD_ACTIVE,
    CHILD_STATUSES,
    REVIEW_STATUSES,
    SHIELD_ORIGINS,
    CautionItemRow,
    ChildRow,
    ContactRequestRow,
    SearchKeyRow,
    ShieldIdentityRow,
    ShieldRow,
)
from childindex.storage.models.feeds import (
    LOAD_FINISHED,
    LOAD_RUNNING,
    QUEUE_DONE,
    QUEUE_WAITING,
    FeedLoadRow,
    FeedQueueRow,
    RawRecordRow,
)
from childindex.storage.models.records import (
    LINK_DECISIONS,
    BlockingKeyRow,
    LinkRow,
    SourceRecordRow,
    VersionRow,
)
from childindex.storage.models.review import NotAMatchRow, ReviewItemRow
from childindex.storage.models.security import (
    BreakGlassAlertRow,
    RecoveryCodeRow,
    SignInFailureRow,
    WebSessionRow,
)

__all__ = [
    "CHILD_ACTIVE",
    "CHILD_STATUSES",
    "LINK_DECISIONS",
    "LOAD_FINISHED",
    "LOAD_RUNNING",
    "QUEUE_DONE",
    "QUEUE_WAITING",
    "REVIEW_STATUSES",
    "SHIELD_ORIGINS",
    "ApiTokenRow",
    "AuditEventRow",
    "Base",
    "BlockingKeyRow",
    "BreakGlassAlertRow",
    "CautionItemRow",
    "ChildRow",
    "ContactRequestRow",
    "FeedLoadRow",
    "FeedQueueRow",
    "LinkRow",
    "NotAMatchRow",
    "PostcodeAreaRow",
    "RawRecordRow",
    "RecoveryCodeRow",
    "ReviewItemRow",
    "SearchKeyRow",
    "ShieldIdentityRow",
    "ShieldRow",
    "SignInFailureRow",
    "SourceRecordRow",
    "SystemStateRow",
    "UserRow",
    "UtcDateTime",
    "VersionRow",
    "WebSessionRow",
]
