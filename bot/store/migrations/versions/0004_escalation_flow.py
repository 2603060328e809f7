"""The escalation flow: drafts of requests, messages relayed to advisers, adviser sessions,
who claimed a request, team office hours, and the crisis log's link to the request it raised.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('escalation_drafts',
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('urgency', sa.String(length=16), nullable=True),
    sa.Column('contact', sa.String(length=16), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    op.create_table('relayed_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('adviser_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('crisis_level', sa.String(length=16), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['adviser_id'], ['advisers.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('relayed_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relayed_messages_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_relayed_messages_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relayed_messages_escalation_id'), ['escalation_id'], unique=False)
    op.create_table('adviser_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('adviser_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['adviser_id'], ['advisers.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('adviser_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adviser_sessions_adviser_id'), ['adviser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adviser_sessions_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duty_alerted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('unclaimed_told_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_escalations_claimed_by'), ['claimed_by'], unique=False)
        batch_op.create_foreign_key('fk_escalations_claimed_by', 'advisers', ['claimed_by'], ['id'])
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_hours', sa.String(length=40), nullable=False,
                                      server_default='standard'))
    with op.batch_alter_table('safeguarding_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('safeguarding_events', schema=None) as batch_op:
        batch_op.drop_column('escalation_id')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('office_hours')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_escalations_claimed_by', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_escalations_claimed_by'))
        batch_op.drop_column('unclaimed_told_at')
        batch_op.drop_column('duty_alerted')
        batch_op.drop_column('claimed_by')
    op.drop_table('adviser_sessions')
    op.drop_table('relayed_messages')
    op.drop_table('escalation_drafts')
