"""Expiry and near-due mails recorded once (applications/expiry.py); followers of data
requests (data_requests/).

Revision ID: a1c0de000006
Revises: a1c0de000005
Create Date: 2026-12-06
"""
from alembic import op

revision = "a1c0de000006"
down_revision = "a1c0de000005"
branch_labels = None
depends_on = None


def upgrade():
    # When the end of an approval was mailed; when the department was reminded of a
    # pending application near its due date: each is mailed once.
    op.execute("ALTER TABLE lngov_application ADD COLUMN IF NOT EXISTS expiry_mailed "
               "timestamptz")
    op.execute("ALTER TABLE lngov_application ADD COLUMN IF NOT EXISTS reminder_mailed "
               "timestamptz")
    op.execute(
        "CREATE TABLE IF NOT EXISTS lngov_data_request_follower ("
        " request_id text NOT NULL REFERENCES lngov_data_request (id) ON DELETE CASCADE,"
        " user_id text NOT NULL,"
        " created timestamptz NOT NULL,"
        " PRIMARY KEY (request_id, user_id))"
    )
    op.execute("CREATE INDEX IF NOT EXISTS lngov_data_request_follower_user "
               "ON lngov_data_request_follower (user_id)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS lngov_data_request_follower")
    op.execute("ALTER TABLE lngov_application DROP COLUMN IF EXISTS reminder_mailed")
    op.execute("ALTER TABLE lngov_application DROP COLUMN IF EXISTS expiry_mailed")
