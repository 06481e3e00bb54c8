"""One data, one source (R2): a resource code belongs to one entry in the whole portal.

A unique index on the code in package.extras, over every state (active, draft, private,
deleted), so two concurrent requests cannot both store the same code.

Revision ID: a1c0de000001
Revises:
Create Date: 2026-11-25
"""
from alembic import op

revision = "a1c0de000001"
down_revision = None
branch_labels = None
depends_on = None

INDEX = "lngov_package_resource_code_key"


def upgrade():
    op.execute(
        f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON package ((extras ->> 'resource_code')) "
        "WHERE extras ? 'resource_code'"
    )


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
