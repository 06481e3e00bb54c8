"""Public data requests (数据需求): data_requests/.

Revision ID: a1c0de000005
Revises: a1c0de000004
Create Date: 2026-12-06
"""
from alembic import op

revision = "a1c0de000005"
down_revision = "a1c0de000004"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE TABLE IF NOT EXISTS lngov_data_request ("
        " id text PRIMARY KEY,"
        " user_id text NOT NULL,"
        " owner_org text NOT NULL,"
        " title text NOT NULL,"
        " description text NOT NULL,"
        " state text NOT NULL CHECK (state IN ('open', 'answered', 'opened', 'declined')),"
        " answer text,"
        " package_id text,"
        " reason_code text,"
        " created timestamptz NOT NULL,"
        " answered timestamptz,"
        " CHECK (state <> 'opened' OR package_id IS NOT NULL),"
        " CHECK (state <> 'declined' OR (reason_code IS NOT NULL AND answer IS NOT NULL)))"
    )
    op.execute("CREATE INDEX IF NOT EXISTS lngov_data_request_org "
               "ON lngov_data_request (owner_org, state)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS lngov_data_request")
