"""The safeguarding log.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safeguarding_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation", sa.String(32), nullable=False),
        sa.Column("matched", sa.String(255), nullable=False),
        sa.Column("message_text", sa.Text, nullable=True),
    )
    op.create_index("ix_safeguarding_events_created_at", "safeguarding_events", ["created_at"])
    op.create_index("ix_safeguarding_events_conversation", "safeguarding_events", ["conversation"])


def downgrade() -> None:
    op.drop_table("safeguarding_events")
