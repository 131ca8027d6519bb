"""model suggestions: the suggestions table, and what each annotation did with the one shown

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suggestions',
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('glosses', sa.Text(), nullable=False),
    sa.Column('model', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], ),
    sa.PrimaryKeyConstraint('clip_id')
    )
    with op.batch_alter_table('annotations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('suggestion_use', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('annotations', schema=None) as batch_op:
        batch_op.drop_column('suggestion_use')
        batch_op.drop_column('suggested')
    op.drop_table('suggestions')
