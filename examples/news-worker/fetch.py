"""The scheduled `fetch` job (every 15 minutes, see berth.yml).

In the guide this job pulls fresh articles from a news API. berth's example runs offline, so it fetches
nothing from the internet: it does the honest local half of the work instead — the digest of the articles
processed in the last 24 hours (how many, how many words, the most frequent keywords), stored in the
`digests` table and served at GET /digests/latest. Exit 0 on success; berth records every run.
"""
import collections
import sys

from common import connect_db, logger

log = logger("fetch")


def main():
    db = connect_db(log, attempts=5)
    with db.cursor() as cursor:
        cursor.execute("SELECT word_count, keywords FROM articles WHERE processed_at > now() - interval '24 hours'")
        rows = cursor.fetchall()
        keywords = collections.Counter(keyword for _, words in rows for keyword in (words or []))
        top = [word for word, _ in keywords.most_common(10)]
        words = sum(count or 0 for count, _ in rows)
        cursor.execute(
            "INSERT INTO digests (article_count, word_count, top_keywords) VALUES (%s, %s, %s) RETURNING id",
            (len(rows), words, top),
        )
        digest = cursor.fetchone()[0]
    log.info("digest %d: %d articles, %d words, top keywords %s", digest, len(rows), words, ", ".join(top) or "(none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
