"""Requests to other organisations, escalations with their answers, and acknowledged alerts.

Revision ID: 0011
Revises: 0010
"""


from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types
from supervisor_app.store import roles


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_acknowledgements',
    sa.Column('alert_key', sa.String(length=120), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('deployment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('acknowledged_at', supervisor_app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_alert_acknowledgements_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alert_acknowledgements_incident_id_incidents')),
    sa.PrimaryKeyConstraint('alert_key', name=op.f('pk_alert_acknowledgements'))
    )
    with op.batch_alter_table('alert_acknowledgements', schema=None) as batch_op:
        batch_op.create_index('ix_alert_acknowledgements_incident', ['incident_id'], unique=False)

    op.create_table('external_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation', sa.String(length=40), nullable=False),
    sa.Column('request', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', supervisor_app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=False),
    sa.Column('their_reference', sa.String(length=80), nullable=True),
    sa.Column('answered_at', supervisor_app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('accepted', 'declined', 'requested')", name=op.f('ck_external_requests_status_known')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_external_requests_incident_id_incidents')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_external_requests_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_requests'))
    )
    with op.batch_alter_table('external_requests', schema=None) as batch_op:
        batch_op.create_index('ix_external_requests_incident', ['incident_id'], unique=False)
        batch_op.create_index('ix_external_requests_status', ['status'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rule_code', sa.String(length=40), nullable=True),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('external_request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', supervisor_app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=False),
    sa.Column('answered_at', supervisor_app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('answered_name', sa.String(length=120), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('accepted', 'declined', 'requested')", name=op.f('ck_escalations_status_known')),
    sa.ForeignKeyConstraint(['external_request_id'], ['external_requests.id'], name=op.f('fk_escalations_external_request_id_external_requests')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_escalations_incident_id_incidents')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_escalations_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index('ix_escalations_incident', ['incident_id'], unique=False)
        batch_op.create_index('ix_escalations_status', ['status'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Requests and escalations are answered later (UPDATE); acknowledgements are written once.
        roles.grant_table(bind, "external_requests", ["SELECT", "INSERT", "UPDATE"])
        roles.grant_table(bind, "escalations", ["SELECT", "INSERT", "UPDATE"])
        roles.grant_table(bind, "alert_acknowledgements", ["SELECT", "INSERT"])


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_status')
        batch_op.drop_index('ix_escalations_incident')

    op.drop_table('escalations')
    with op.batch_alter_table('external_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_external_requests_status')
        batch_op.drop_index('ix_external_requests_incident')

    op.drop_table('external_requests')
    with op.batch_alter_table('alert_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_acknowledgements_incident')

    op.drop_table('alert_acknowledgements')
