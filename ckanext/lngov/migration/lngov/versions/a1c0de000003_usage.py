"""Views of entry pages and downloads of their files, counted by the server (usage.py).

Revision ID: a1c0de000003
Revises: a1c0de000002
Create Date: 2026-12-02
"""
from alembic import op

revision = "a1c0de000003"
down_revision = "a1c0de000002"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE TABLE IF NOT EXISTS lngov_usage ("
        " package_id text NOT NULL,"
        " kind text NOT NULL CHECK (kind IN ('view', 'download')),"
        " count bigint NOT NULL DEFAULT 0,"
        " PRIMARY KEY (package_id, kind))"
    )


def downgrade():
    op.execute("DROP TABLE IF EXISTS lngov_usage")
