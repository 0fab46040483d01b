"""SQL implementations of the ports in ``services.ports``; each returns domain values only.

=============================  ==========================  ==================================
Port                           Adapter                     Tables
=============================  ==========================  ==================================
``ChildRepository``            ``SqlChildRepository``      children, child_search_keys
``SourceRecordRepository``     ``SqlSourceRecordRepository``  source_records, versions, links
``FeedStore``                  ``SqlFeedStore``            feed_loads, raw_records
``UserRepository``             ``SqlUserRepository``       users, api_tokens
``AuditLog``                   ``SqlAuditLog``             audit_events
``SecurityStore``              ``SqlSecurityStore``        web_sessions, sign_in_failures, ...
``ShieldStore``                ``SqlShieldStore``          shields, caution_items, search keys
``ContactRequestStore``        ``SqlContactRequests``      contact_requests
``SystemStateStore``           ``SqlSystemState``          system_state (the halt switch)
``FeedQueue``                  ``SqlFeedQueue``            feed_queue
=============================  ==========================  ==================================
"""

from childindex.storage.repositories.accounts import SqlUserRepository
from childindex.storage.repositories.audit import SqlAuditLog
from childindex.storage.repositories.children import SqlChildRepository
from childindex.storage.repositories.contact import SqlContactRequests
from childindex.storage.repositories.feeds import SqlFeedStore
from childindex.storage.repositories.records import SqlSourceRecordRepository
from childindex.storage.repositories.security import SqlSecurityStore
from childindex.storage.repositories.shields import SqlShieldStore
from childindex.storage.repositories.system import SqlFeedQueue, SqlSystemState

__all__ = [
    "SqlAuditLog",
    "SqlChildRepository",
    "SqlContactRequests",
    "SqlFeedQueue",
    "SqlFeedStore",
    "SqlSecurityStore",
    "SqlShieldStore",
    "SqlSourceRecordRepository",
    "SqlSystemState",
    "SqlUserRepository",
]
