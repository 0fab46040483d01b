"""The storage rows. They never leave the storage package: repositories return domain values.

::

    feed_loads ─< raw_records ─< source_record_versions >─ source_records ─< links >─ children
    children ─< child_search_keys, shields, links, caution_items,
                contact_requests
    users ─< api_tokens
    audit_events (hash-chained, append-only)    system_state (the halt switch, ...)
"""

from childindex.storage.models.accounts import ApiTokenRow, UserRow
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
    ShieldRow,
)
from childindex.storage.models.feeds import LOAD_FINISHED, LOAD_RUNNING, FeedLoadRow, RawRecordRow
from childindex.storage.models.records import LINK_DECISIONS, LinkRow, SourceRecordRow, VersionRow

__all__ = [
    "CHILD_ACTIVE",
    "CHILD_STATUSES",
    "LINK_DECISIONS",
    "LOAD_FINISHED",
    "LOAD_RUNNING",
    "REVIEW_STATUSES",
    "SHIELD_ORIGINS",
    "ApiTokenRow",
    "AuditEventRow",
    "Base",
    "CautionItemRow",
    "ChildRow",
    "ContactRequestRow",
    "FeedLoadRow",
    "LinkRow",
    "RawRecordRow",
    "SearchKeyRow",
    "ShieldRow",
    "SourceRecordRow",
    "SystemStateRow",
    "UserRow",
    "UtcDateTime",
    "VersionRow",
]
