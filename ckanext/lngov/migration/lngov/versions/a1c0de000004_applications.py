"""Applications for conditionally open entries (有条件开放, R3): applications.py.

Revision ID: a1c0de000004
Revises: a1c0de000003
Create Date: 2026-12-06
"""
from alembic import op

revision = "a1c0de000004"
down_revision = "a1c0de000003"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE TABLE IF NOT EXISTS lngov_application ("
        " id text PRIMARY KEY,"
        " package_id text NOT NULL,"
        " owner_org text NOT NULL,"
        " user_id text NOT NULL,"
        " state text NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),"
        " purpose text NOT NULL,"
        " period_start date NOT NULL,"
        " period_end date NOT NULL,"
        " resource_ids text[] NOT NULL DEFAULT '{}',"
        " submitted timestamptz NOT NULL,"
        " decided timestamptz,"
        " decided_by text,"
        " conditions text,"
        " end_date date,"
        " reason_code text,"
        " reason_text text,"
        " CHECK (state <> 'approved' OR end_date IS NOT NULL),"
        " CHECK (state <> 'refused' OR (reason_code IS NOT NULL AND reason_text IS NOT NULL)))"
    )
    op.execute("CREATE INDEX IF NOT EXISTS lngov_application_access "
               "ON lngov_application (user_id, package_id) WHERE state = 'approved'")
    op.execute("CREATE INDEX IF NOT EXISTS lngov_application_org "
               "ON lngov_application (owner_org, state)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS lngov_application")
