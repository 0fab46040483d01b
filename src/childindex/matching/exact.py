"""The exact-identifier engine: a shared verified identifier links, anything else is new.

It is the engine until the trained model plugs in through the same port.
"""

from __future__ import annotations

from collections.abc import Sequence

from childindex.domain.source_record import SourceRecord
from childindex.matching.ports import CandidateStore, MatchDecision, MatchKind

IDENTIFIERS = ("nhs_number", "upn")


class ExactIdentifierEngine:
    """Link on an exact NHS number, then UPN; otherwise a new child."""

    def decide(self, record: SourceRecord, store: CandidateStore) -> MatchDecision:
        """LINK to the child holding the record's identifier, else NEW."""
        for kind in IDENTIFIERS:
            value = record.payload.get(kind)
            if not value:
                continue
            found = store.by_identifier(kind, str(value))
            if found:
                return MatchDecision(
                    kind=MatchKind.LINK, child_id=found[0], decided_by="identifier"
                )
        return MatchDecision(kind=MatchKind.NEW, child_id=None, decided_by="new")

    def joinable(
        self,
        left: Sequence[SourceRecord],  # noqa: ARG002 - the port's signature
        right: Sequence[SourceRecord],  # noqa: ARG002
    ) -> bool:
        """Never: this engine links on one identifier and proposes no other child."""
        return False
