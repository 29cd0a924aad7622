"""Autogenerate a service's next migration against a throwaway embedded PostgreSQL.

    uv run python deploy/tools/new_migration.py consultation "add participation codes"

Review the generated file before committing it: autogenerate misses renames.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command

from localrights.embedded import EmbeddedPostgres
from localrights.migrations import alembic_config, create_database

service, message = sys.argv[1], sys.argv[2]
loc = Path(f"services/{service}/migrations")
with tempfile.TemporaryDirectory() as d:
    pg = EmbeddedPostgres(Path(d) / "pg")
    pg.start()
    try:
        url = asyncio.run(create_database(pg.url, "autogen"))
        cfg = alembic_config(url, loc)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)
    finally:
        pg.stop("immediate")
