"""Conversations, kept messages and undelivered replies (the gateway's store).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(24), nullable=False),
        sa.Column("district", sa.String(32), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_conversations_last_seen_at", "conversations", ["last_seen_at"])
    op.create_table(
        "kept_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("shown", sa.Text, nullable=True),
        sa.Column("for_rasa", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_kept_messages_conversation_id", "kept_messages", ["conversation_id"])
    op.create_index("ix_kept_messages_received_at", "kept_messages", ["received_at"])
    op.create_table(
        "undelivered_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_undelivered_replies_conversation_id", "undelivered_replies", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("undelivered_replies")
    op.drop_table("kept_messages")
    op.drop_table("conversations")
