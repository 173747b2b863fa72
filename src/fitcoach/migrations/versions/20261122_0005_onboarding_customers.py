"""Onboarding and customers: questionnaire versions (with the first one), intakes, customer
profiles with their indexed risk flags, and coach assignments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:00:00.000000
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Version 1 of the questionnaire, as data: frozen here, whatever the code later calls "default".
FIRST_QUESTIONNAIRE_ID = "6f1c1d1e-0b6a-4d55-9a51-5c0b7f3d0001"
FIRST_QUESTIONS = {
    "goals": [
        {"key": "lose_weight", "label": "Lose weight"},
        {"key": "build_muscle", "label": "Build muscle"},
        {"key": "improve_endurance", "label": "Improve endurance"},
        {"key": "general_fitness", "label": "General fitness"},
        {"key": "flexibility_mobility", "label": "Flexibility and mobility"},
        {"key": "sports_performance", "label": "Sports performance"},
        {"key": "healthy_eating", "label": "Healthy eating"},
    ],
    "preferences": [
        {
            "key": "trainingDaysPerWeek",
            "label": "How many days a week can you train?",
            "type": "integer",
            "min": 1,
            "max": 7,
        },
        {
            "key": "sessionLengthMinutes",
            "label": "How long can a session be (minutes)?",
            "type": "single_choice",
            "options": [20, 30, 45, 60, 90],
        },
        {
            "key": "equipment",
            "label": "What equipment do you have?",
            "type": "multi_choice",
            "options": ["none", "dumbbells", "barbell", "machines", "bands", "full_gym"],
        },
        {
            "key": "dietStyle",
            "label": "Which way of eating suits you?",
            "type": "single_choice",
            "options": [
                "no_preference",
                "vegetarian",
                "vegan",
                "halal",
                "keto",
                "mediterranean",
            ],
        },
        {
            "key": "level",
            "label": "How experienced are you?",
            "type": "single_choice",
            "options": ["beginner", "intermediate", "advanced"],
        },
        {
            "key": "programWeeks",
            "label": "How many weeks should your program last?",
            "type": "integer",
            "min": 4,
            "max": 52,
        },
        {
            "key": "wantsLiveSessions",
            "label": "Do you want live sessions with a coach?",
            "type": "boolean",
        },
    ],
    "healthFlags": [
        {
            "key": "heart_condition",
            "label": "Heart condition",
            "meaning": "A diagnosed heart condition, chest pain on exertion or fainting spells",
            "riskFlags": ["cardiac_condition", "needs_medical_clearance", "needs_coach_review"],
        },
        {
            "key": "pregnancy",
            "label": "Pregnancy",
            "meaning": "Currently pregnant or gave birth in the last six months",
            "riskFlags": ["pregnancy", "needs_medical_clearance", "needs_coach_review"],
        },
        {
            "key": "recent_surgery",
            "label": "Recent surgery",
            "meaning": "Surgery or a serious injury in the last six months",
            "riskFlags": ["recent_surgery", "needs_medical_clearance", "needs_coach_review"],
        },
        {
            "key": "uncontrolled_blood_pressure",
            "label": "Uncontrolled blood pressure",
            "meaning": "High blood pressure that is not kept in range by treatment",
            "riskFlags": [
                "uncontrolled_blood_pressure",
                "needs_medical_clearance",
                "needs_coach_review",
            ],
        },
        {
            "key": "joint_or_back_pain",
            "label": "Joint or back pain",
            "meaning": "Ongoing pain in the joints or the back that exercise may aggravate",
            "riskFlags": ["joint_or_back_pain", "needs_coach_review"],
        },
        {
            "key": "diabetes",
            "label": "Diabetes",
            "meaning": "Type 1 or type 2 diabetes",
            "riskFlags": ["diabetes", "needs_coach_review"],
        },
    ],
}


def upgrade() -> None:
    questionnaires = op.create_table(
        "questionnaires",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_questionnaires_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("version", name=op.f("uq_questionnaires_version")),
    )
    op.create_index(
        "ix_questionnaires_one_current",
        "questionnaires",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'current'"),
        postgresql_where=sa.text("status = 'current'"),
    )

    op.create_table(
        "onboarding_intakes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("health_flags", sa.JSON(), nullable=False),
        sa.Column("risk_flags", sa.JSON(), nullable=False),
        sa.Column("consent_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_ip", sa.String(length=45), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_onboarding_intakes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_intakes")),
    )
    op.create_index(
        "ix_onboarding_intakes_user_created", "onboarding_intakes", ["user_id", "created_at"]
    )

    op.create_table(
        "customer_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("health_flags", sa.JSON(), nullable=False),
        sa.Column("risk_flags", sa.JSON(), nullable=False),
        sa.Column("consent_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_version", sa.Integer(), nullable=True),
        sa.Column("consent_ip", sa.String(length=45), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_customer_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_customer_profiles_user_id")),
    )

    op.create_table(
        "customer_risk_flags",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_customer_risk_flags_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "flag", name=op.f("pk_customer_risk_flags")),
    )
    op.create_index("ix_customer_risk_flags_flag_user", "customer_risk_flags", ["flag", "user_id"])

    op.create_table(
        "coach_assignments",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unassigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by_id", sa.Uuid(), nullable=True),
        sa.Column("unassigned_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_coach_assignments_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_coach_assignments_coach_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_coach_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unassigned_by_id"],
            ["users.id"],
            name=op.f("fk_coach_assignments_unassigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_assignments")),
    )
    op.create_index(
        "ix_coach_assignments_live_pair",
        "coach_assignments",
        ["customer_id", "coach_id"],
        unique=True,
        sqlite_where=sa.text("unassigned_at IS NULL"),
        postgresql_where=sa.text("unassigned_at IS NULL"),
    )
    op.create_index(
        "ix_coach_assignments_coach_customer", "coach_assignments", ["coach_id", "customer_id"]
    )

    op.bulk_insert(
        questionnaires,
        [
            {
                "id": uuid.UUID(FIRST_QUESTIONNAIRE_ID),
                "version": 1,
                "status": "current",
                "questions": FIRST_QUESTIONS,
                "created_at": datetime(2026, 11, 22, tzinfo=UTC),
                "created_by_id": None,
            }
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_coach_assignments_coach_customer", table_name="coach_assignments")
    op.drop_index("ix_coach_assignments_live_pair", table_name="coach_assignments")
    op.drop_table("coach_assignments")
    op.drop_index("ix_customer_risk_flags_flag_user", table_name="customer_risk_flags")
    op.drop_table("customer_risk_flags")
    op.drop_table("customer_profiles")
    op.drop_index("ix_onboarding_intakes_user_created", table_name="onboarding_intakes")
    op.drop_table("onboarding_intakes")
    op.drop_index("ix_questionnaires_one_current", table_name="questionnaires")
    op.drop_table("questionnaires")
