"""release.before: runs once per release, before any replica changes. Creates or alters the tables
(idempotent), and records that it ran. A non-zero exit stops the release; the previous one keeps serving."""
import sys

from common import connect_db, logger

log = logger("migrate")

STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS articles ("
    " id SERIAL PRIMARY KEY, title TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL DEFAULT '',"
    " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS processed_at TIMESTAMPTZ",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS word_count INTEGER",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS keywords TEXT[]",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS summary TEXT",
    "CREATE TABLE IF NOT EXISTS digests ("
    " id SERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " article_count INTEGER NOT NULL, word_count INTEGER NOT NULL, top_keywords TEXT[] NOT NULL)",
    "CREATE TABLE IF NOT EXISTS migration_runs (id SERIAL PRIMARY KEY, ran_at TIMESTAMPTZ NOT NULL DEFAULT now())",
]


def main():
    connection = connect_db(log)
    with connection.cursor() as cursor:
        for statement in STATEMENTS:
            cursor.execute(statement)
        cursor.execute("INSERT INTO migration_runs DEFAULT VALUES RETURNING id")
        run = cursor.fetchone()[0]
    log.info("schema up to date (migration run %d)", run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
