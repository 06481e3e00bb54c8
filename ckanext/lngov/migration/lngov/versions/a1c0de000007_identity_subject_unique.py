"""The unified identity: one account per subject (identity/accounts.py).

A unique index on the provider's issuer and subject kept in user.plugin_extras, so two
first sign-ins of the same person at the same moment cannot both create an account.

Revision ID: a1c0de000007
Revises: a1c0de000006
Create Date: 2026-12-08
"""
from alembic import op

revision = "a1c0de000007"
down_revision = "a1c0de000006"
branch_labels = None
depends_on = None

INDEX = "lngov_user_identity_subject_key"


def upgrade():
    op.execute(
        f'CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON "user" '
        "((plugin_extras -> 'lngov_identity' ->> 'iss'), "
        "(plugin_extras -> 'lngov_identity' ->> 'sub')) "
        "WHERE plugin_extras ? 'lngov_identity'")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
