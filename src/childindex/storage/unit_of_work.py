"""The SQL unit of work: one session per use case, rolled back unless committed.

::

    factory = SqlUnitOfWorkFactory(make_engine(url), cipher=FieldCipher(data_key))
    with factory() as uow:
        uow.children.save(child)
        uow.audit.record(event)
        uow.commit()  # without this, leaving the block undoes both
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from sqlalchemy.orm import Session, sessionmaker

from childindex.storage.cipher import FieldCipher
from childindex.storage.clock import Clock, utc_now
from childindex.storage.repositories import (
    SqlAuditLog,
    SqlChildRepository,
    SqlContactRequests,
    SqlFeedQueue,
    SqlFeedStore,
    SqlSecurityStore,
    SqlShieldStore,
    SqlSourceRecordRepository,
    SqlSystemState,
    SqlUserRepository,
)
from childindex.storage.repositories.areas import SqlAreaStore
from childindex.storage.repositories.review import SqlReviewRepository

if TYPE_CHECKING:
    from types import TracebackType

    from sqlalchemy import Engine

    from childindex.services.ports import (
        AreaStore,
        AuditLog,
        ChildRepository,
        ContactRequestStore,
        FeedQueue,
        FeedStore,
        PairWeigher,
        ReviewRepository,
        SecurityStore,
        ShieldStore,
        SourceRecordRepository,
        SystemStateStore,
        UserRepository,
    )


class SqlUnitOfWork:
    """``UnitOfWork`` on a SQLAlchemy session; the repositories exist inside ``with``."""

    children: ChildRepository
    audit: AuditLog
    users: UserRepository
    feeds: FeedStore
    records: SourceRecordRepository
    security: SecurityStore
    reviews: ReviewRepository
    shields: ShieldStore
    contacts: ContactRequestStore
    system: SystemStateStore
    queue: FeedQueue
    areas: AreaStore
    weigher: PairWeigher | None

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        cipher: FieldCipher,
        weigher: PairWeigher | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._cipher = cipher
        self._session: Session | None = None
        self.weigher = weigher

    def __enter__(self) -> Self:
        session = self._sessions()
        self._session = session
        self.children = SqlChildRepository(session, self._clock, self._cipher)
        self.audit = SqlAuditLog(session)
        self.users = SqlUserRepository(session, self._clock)
        self.feeds = SqlFeedStore(session, self._clock, self._cipher)
        self.records = SqlSourceRecordRepository(session, self._clock, self._cipher)
        self.security = SqlSecurityStore(session)
        self.reviews = SqlReviewRepository(session)
        self.shields = SqlShieldStore(session, self._clock)
        self.contacts = SqlContactRequests(session, self._cipher)
        self.system = SqlSystemState(session, self._clock)
        self.queue = SqlFeedQueue(session, self._cipher)
        self.areas = SqlAreaStore(session, self._clock)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require()
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """Make everything done in this unit durable."""
        self._require().commit()

    def rollback(self) -> None:
        """Undo everything not yet committed."""
        self._require().rollback()

    def _require(self) -> Session:
        if self._session is None:
            msg = "use the unit of work inside 'with'"
            raise RuntimeError(msg)
        return self._session


class SqlUnitOfWorkFactory:
    """``UnitOfWorkFactory``: a fresh ``SqlUnitOfWork`` per call, all on one engine; each
    carries ``weigher``, the trained model the shield screen may ask (ADR 0019)."""

    def __init__(
        self,
        engine: Engine,
        *,
        cipher: FieldCipher,
        clock: Clock = utc_now,
        weigher: PairWeigher | None = None,
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._clock = clock
        self._weigher = weigher

    @property
    def engine(self) -> Engine:
        """The engine every unit of work runs on."""
        return self._engine

    def __call__(self) -> SqlUnitOfWork:
        """A new unit of work; nothing happens until it is entered."""
        return SqlUnitOfWork(self._sessions, self._clock, self._cipher, self._weigher)
