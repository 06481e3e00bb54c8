"""A department's 统一社会信用代码 identifies it: one organization per credit code (the
harvester matches departments by it).

Revision ID: a1c0de000002
Revises: a1c0de000001
Create Date: 2026-11-25
"""
from alembic import op

revision = "a1c0de000002"
down_revision = "a1c0de000001"
branch_labels = None
depends_on = None

INDEX = "lngov_group_credit_code_key"


def upgrade():
    op.execute(
        f'CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON "group" ((extras ->> \'credit_code\')) '
        "WHERE extras ? 'credit_code'"
    )


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
