"""Initial schema: feeds, source records and links, children, shields, users, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Migrations never import application code (it changes; a migration must not): the column
types are spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)
SHA256 = sa.CHAR(length=64)
CODE = sa.String(length=32)
LABEL = sa.String(length=200)
CHILD_KEY = sa.String(length=12)
NAME_KEY = sa.String(length=200).with_variant(sa.VARCHAR(length=200, collation="C"), "postgresql")
CURRENT = sa.text("ended_at IS NULL")


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)


def _feeds_and_records() -> None:
    op.create_table(
        "feed_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", CODE, nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_sha256", SHA256, nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("status", CODE, nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("checkpoint_line", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_loads")),
    )
    op.create_table(
        "raw_records",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        _flag("rejected"),
        sa.Column("errors", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["load_id"], ["feed_loads.id"], name=op.f("fk_raw_records_load_id_feed_loads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_records")),
        sa.UniqueConstraint("load_id", "line_no", name=op.f("uq_raw_records_load_id_line_no")),
    )
    op.create_table(
        "source_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", CODE, nullable=False),
        sa.Column("record_id", LABEL, nullable=False),
        sa.Column("current_version_id", BIG_ID, nullable=True),
        _flag("shielded"),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
        sa.UniqueConstraint("source", "record_id", name=op.f("uq_source_records_source_record_id")),
    )
    op.create_table(
        "source_record_versions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("raw_id", BIG_ID, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("content_hash", SHA256, nullable=False),
        sa.Column("source_updated_at", UTC_TIME, nullable=True),
        sa.Column("stored_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_id"],
            ["raw_records.id"],
            name=op.f("fk_source_record_versions_raw_id_raw_records"),
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_source_record_versions_source_record_id_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_record_versions")),
        sa.UniqueConstraint(
            "source_record_id",
            "version_no",
            name=op.f("uq_source_record_versions_source_record_id_version_no"),
        ),
    )
    # The other half of the records <-> versions cycle, now that both tables exist.
    with op.batch_alter_table("source_records") as batch:
        batch.create_foreign_key(
            op.f("fk_source_records_current_version_id_source_record_versions"),
            "source_record_versions",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def _children() -> None:
    op.create_table(
        "children",
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("status", CODE, server_default="active", nullable=False),
        sa.Column("merged_into", CHILD_KEY, nullable=True),
        sa.Column("la_code", CODE, nullable=True),
        _flag("shielded"),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'merged', 'archived')", name=op.f("ck_children_status")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["children.child_id"], name=op.f("fk_children_merged_into_children")
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_children")),
    )
    # The review queue's pre-filter: shielded children by authority (storage/repositories/routing.py).
    op.create_index("ix_children_shielded_la_code", "children", ["shielded", "la_code"])
    op.create_table(
        "child_search_keys",
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("given_key", NAME_KEY, nullable=False),
        sa.Column("family_key", NAME_KEY, nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("postcode", sa.String(length=64), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("school_urn", CODE, nullable=True),
        _flag("shielded"),
        sa.Column("la_code", CODE, nullable=True),
        # --- shield screen blocking keys (issue 6) ---
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("given_sound", sa.String(length=8), server_default="", nullable=False),
        sa.Column("family_sound", sa.String(length=8), server_default="", nullable=False),
        sa.Column("initials", sa.String(length=2), server_default="", nullable=False),
        sa.Column("birth_day_month", sa.String(length=5), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.child_id"],
            name=op.f("fk_child_search_keys_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_child_search_keys")),
    )
    op.create_index(
        "ix_child_search_keys_name_dob",
        "child_search_keys",
        ["family_key", "given_key", "birth_date"],
    )
    for column in ("postcode", "nhs_number", "upn", "school_urn"):
        op.create_index(f"ix_child_search_keys_{column}", "child_search_keys", [column])
    # --- shield screen indexes (issue 6) ---
    op.create_index(
        "ix_child_search_keys_screen_dob", "child_search_keys", ["shielded", "birth_date"]
    )
    for name, column in (("given", "given_sound"), ("family", "family_sound")):
        op.create_index(
            f"ix_child_search_keys_screen_{name}",
            "child_search_keys",
            ["shielded", "birth_year", column],
        )
    op.create_index(
        "ix_child_search_keys_screen_initials",
        "child_search_keys",
        ["shielded", "birth_year", "initials"],
    )
    op.create_index(
        "ix_child_search_keys_screen_day_month",
        "child_search_keys",
        ["shielded", "birth_day_month", "sex"],
    )
    op.create_table(
        "links",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("decided_by", CODE, nullable=False),
        sa.Column("actor", LABEL, nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("decided_at", UTC_TIME, nullable=False),
        sa.Column("ended_at", UTC_TIME, nullable=True),
        sa.Column("end_reason", LABEL, nullable=True),
        sa.CheckConstraint(
            "decided_by IN ('identifier', 'score', 'officer', 'new')",
            name=op.f("ck_links_decided_by"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.child_id"], name=op.f("fk_links_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_links_source_record_id_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    op.create_index("ix_links_child_id_ended_at", "links", ["child_id", "ended_at"])
    op.create_index(
        "uq_links_current",
        "links",
        ["source_record_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_table(
        "shields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("origin", CODE, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", LABEL, nullable=False),
        sa.Column("set_at", UTC_TIME, nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("lifted_at", UTC_TIME, nullable=True),
        sa.Column("lifted_by", LABEL, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("strength", sa.Float(), nullable=False, server_default="1"),
        sa.CheckConstraint(
            "origin IN ('officer', 'source', 'caution')", name=op.f("ck_shields_origin")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.child_id"], name=op.f("fk_shields_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shields")),
    )
    op.create_index("ix_shields_child_id", "shields", ["child_id"])
    # --- review items: the shield screen's cautions (issue 6) ---
    op.create_table(
        "caution_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("shielded_child_id", CHILD_KEY, nullable=False),
        sa.Column("la_code", CODE, nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", CODE, server_default="open", nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("decided_by", LABEL, nullable=True),
        sa.CheckConstraint("kind IN ('caution')", name=op.f("ck_caution_items_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'confirmed', 'cleared')", name=op.f("ck_caution_items_status")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.child_id"], name=op.f("fk_caution_items_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["shielded_child_id"],
            ["children.child_id"],
            name=op.f("fk_caution_items_shielded_child_id_children"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caution_items")),
    )
    op.create_index("ix_caution_items_child_id", "caution_items", ["child_id", "status"])
    op.create_index("ix_caution_items_la_code", "caution_items", ["la_code", "status"])
    op.create_index(
        "ix_caution_items_shielded_child_id", "caution_items", ["shielded_child_id", "status"]
    )
    # --- mediated contact requests (issue 6) ---
    op.create_table(
        "contact_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("la_code", CODE, nullable=True),
        sa.Column("requested_by", LABEL, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", CODE, server_default="open", nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("closed_by", LABEL, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_contact_requests_status")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.child_id"], name=op.f("fk_contact_requests_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_requests")),
    )
    op.create_index("ix_contact_requests_la_code", "contact_requests", ["la_code", "status"])


def _accounts_and_audit() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", LABEL, nullable=False),
        sa.Column("role", CODE, nullable=False),
        sa.Column("la_code", CODE, nullable=True),
        sa.Column("organisation", LABEL, nullable=True),
        sa.Column("org_kind", CODE, server_default="other", nullable=False),
        sa.Column("vetting_expires", sa.Date(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", BIG_ID, nullable=True),
        _flag("suspended"),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", SHA256, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("actor", LABEL, nullable=False),
        sa.Column("child_ids", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", SHA256, nullable=False),
        sa.Column("hash", SHA256, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    op.create_table(
        "system_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_system_state")),
    )


# --- sign-in security (issue 7): sessions, throttling, recovery codes, break-glass ---------


def _sign_in_security() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", SHA256, nullable=False),
        sa.Column("username", LABEL, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=240), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_key_at", "sign_in_failures", ["key", "at"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", LABEL, nullable=False),
        sa.Column("code_hash", SHA256, nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index("ix_recovery_codes_username", "recovery_codes", ["username"])
    op.create_table(
        "break_glass_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("la_code", CODE, nullable=True),
        sa.Column("username", LABEL, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_alerts")),
    )
    op.create_index("ix_break_glass_alerts_la_code", "break_glass_alerts", ["la_code"])
# --- matching (issue 5): blocking keys of linked records, for online candidate retrieval ---
def _matching() -> None:
    op.create_table(
        "record_blocking_keys",
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_record_blocking_keys_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_record_id", "key", name=op.f("pk_record_blocking_keys")),
    )
    op.create_index("ix_record_blocking_keys_key", "record_blocking_keys", ["key"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("record_child_id", CHILD_KEY, nullable=False),
        sa.Column("candidate_child_id", CHILD_KEY, nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("la_code", CODE, nullable=True),
        sa.Column("status", CODE, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("decided_by", LABEL, nullable=True),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_review_items_source_record_id_source_records"),
        ),
        sa.ForeignKeyConstraint(
            ["record_child_id"],
            ["children.child_id"],
            name=op.f("fk_review_items_record_child_id_children"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_child_id"],
            ["children.child_id"],
            name=op.f("fk_review_items_candidate_child_id_children"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    op.create_index("ix_review_items_la_code_status", "review_items", ["la_code", "status"])
    for side in ("record_child_id", "candidate_child_id"):
        op.create_index(f"ix_review_items_{side}", "review_items", [side, "status"])
    op.create_table(
        "not_a_match",
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("actor", LABEL, nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_not_a_match_source_record_id_source_records"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.child_id"], name=op.f("fk_not_a_match_child_id_children")
        ),
        sa.PrimaryKeyConstraint("source_record_id", "child_id", name=op.f("pk_not_a_match")),
    )


# --- the halt switch's durable feed queue (issue 4, item 6) ------------------------------


def _halt_queue() -> None:
    op.create_table(
        "feed_queue",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("source", CODE, nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("submitted_by", LABEL, nullable=False),
        sa.Column("submitted_at", UTC_TIME, nullable=False),
        sa.Column("status", CODE, nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.Column("report", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["load_id"], ["feed_loads.id"], name=op.f("fk_feed_queue_load_id_feed_loads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_queue")),
    )
    op.create_index("ix_feed_queue_status_id", "feed_queue", ["status", "id"])


def _areas() -> None:
    # Reference data (public, like ONS's postcode directory): a postcode district's local
    # authority. Never a child's postcode: children keep only the la_code it gives them.
    op.create_table(
        "postcode_areas",
        sa.Column("postcode_district", sa.String(length=4), nullable=False),
        sa.Column("la_code", CODE, nullable=False),
        sa.Column("loaded_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("postcode_district", name=op.f("pk_postcode_areas")),
    )


def upgrade() -> None:
    """Create every table of the first release."""
    _feeds_and_records()
    _children()
    _accounts_and_audit()
    _sign_in_security()
    _matching()
    _halt_queue()
    _areas()
    _shield_identities()


def _shield_identities() -> None:
    # The shield screen's keys of each identity a shielded child's records carry beyond the
    # one it shows (ADR 0012): a wrongly merged child must not hide its other identity.
    op.create_table(
        "shield_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", CHILD_KEY, nullable=False),
        sa.Column("given_key", NAME_KEY, nullable=False),
        sa.Column("family_key", NAME_KEY, nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("postcode", sa.String(length=64), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("given_sound", sa.String(length=8), nullable=False),
        sa.Column("family_sound", sa.String(length=8), nullable=False),
        sa.Column("initials", sa.String(length=2), nullable=False),
        sa.Column("birth_day_month", sa.String(length=5), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.child_id"],
            name=op.f("fk_shield_identities_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shield_identities")),
    )
    op.create_index("ix_shield_identities_child_id", "shield_identities", ["child_id"])
    # One per screen key: the candidate query reads each key through its own index.
    for name, columns in (
        ("birth_date", ["birth_date"]),
        ("nhs_number", ["nhs_number"]),
        ("upn", ["upn"]),
        ("postcode", ["postcode"]),
        ("given", ["birth_year", "given_sound"]),
        ("family", ["birth_year", "family_sound"]),
        ("initials", ["birth_year", "initials"]),
        ("day_month", ["birth_day_month", "sex"]),
    ):
        op.create_index(f"ix_shield_identities_{name}", "shield_identities", columns)


def downgrade() -> None:
    """Drop every table of the first release."""
    with op.batch_alter_table("source_records") as batch:
        batch.drop_constraint(
            op.f("fk_source_records_current_version_id_source_record_versions"),
            type_="foreignkey",
        )
    for table in (
        "shield_identities",
        "feed_queue",
        "postcode_areas",
        "break_glass_alerts",
        "recovery_codes",
        "sign_in_failures",
        "web_sessions",
        "not_a_match",
        "review_items",
        "record_blocking_keys",
        "system_state",
        "audit_events",
        "api_tokens",
        "users",
        "contact_requests",
        "caution_items",
        "shields",
        "links",
        "child_search_keys",
        "children",
        "source_record_versions",
        "source_records",
        "raw_records",
        "feed_loads",
    ):
        op.drop_table(table)
