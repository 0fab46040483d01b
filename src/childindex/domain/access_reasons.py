"""Why someone opens a child's full record: a reason from a short list, plus free text.

The reason is recorded in the audit entry of the view (ASVS 5.0 V16: who, what, when, why),
so each access can be justified afterwards.
"""

from __future__ import annotations

from enum import StrEnum

from childindex.domain.errors import InvalidInput

MAX_DETAIL = 200
MIN_BREAK_GLASS_DETAIL = 10


class AccessReason(StrEnum):
    """The reasons offered on the page."""

    SAFEGUARDING = "safeguarding"
    CONTACT_PRACTITIONER = "contact-practitioner"
    REFERRAL = "referral"
    ASSESSMENT = "assessment"
    OTHER = "other"


LABELS: dict[AccessReason, str] = {
    AccessReason.SAFEGUARDING: "A safeguarding concern about this child",
    AccessReason.CONTACT_PRACTITIONER: "To contact someone already working with this child",
    AccessReason.REFERRAL: "To make or follow up a referral",
    AccessReason.ASSESSMENT: "To prepare or carry out an assessment",
    AccessReason.OTHER: "Another reason",
}


def stated_reason(code: str, detail: str) -> str:
    """The reason as audited (``code: detail``); ``InvalidInput`` naming the field if wrong.

    Example::

        stated_reason("referral", "school nurse referral 12 Nov")  # "referral: school ..."
    """
    try:
        reason = AccessReason(code)
    except ValueError:
        msg = "Select why you need to see this record"
        raise InvalidInput(msg, field="reason") from None
    text = " ".join(detail.split())
    if len(text) > MAX_DETAIL:
        msg = f"Details must be {MAX_DETAIL} characters or fewer"
        raise InvalidInput(msg, field="reason_detail")
    if reason is AccessReason.OTHER and not text:
        msg = "Say why you need to see this record"
        raise InvalidInput(msg, field="reason_detail")
    return f"{reason.value}: {text}" if text else reason.value


def break_glass_reason(detail: str) -> str:
    """The stated reason for breaking glass: free text, at least a short sentence."""
    text = " ".join(detail.split())
    if len(text) < MIN_BREAK_GLASS_DETAIL or len(text) > MAX_DETAIL:
        msg = (
            f"Explain why you must see this shielded record "
            f"({MIN_BREAK_GLASS_DETAIL} to {MAX_DETAIL} characters)"
        )
        raise InvalidInput(msg, field="reason_detail")
    return text
