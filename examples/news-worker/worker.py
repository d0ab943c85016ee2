"""Consumes the queue the web API fills: for each new article, its word count, keywords and a one-line
summary, stored beside it. Stops cleanly on SIGTERM (berth and ECS send it before stopping a replica)."""
import collections
import re
import signal

from common import QUEUE, connect_cache, connect_db, logger
from heartbeat import touch

log = logger("worker")
STOPWORDS = set("a an and are as at be by for from has in is it its of on or that the this to was were will with".split())
running = True


def stop(*_):
    global running
    running = False


def analyse(title, body):
    words = re.findall(r"[a-z][a-z'-]+", f"{title} {body}".lower())
    counts = collections.Counter(word for word in words if word not in STOPWORDS and len(word) > 2)
    summary = (body.split(".")[0].strip() or title)[:200]
    return len(words), [word for word, _ in counts.most_common(5)], summary


def process(db, article_id):
    with db.cursor() as cursor:
        cursor.execute("SELECT title, body FROM articles WHERE id = %s", (article_id,))
        row = cursor.fetchone()
        if row is None:
            log.warning("article %s is gone; skipped", article_id)
            return
        word_count, keywords, summary = analyse(*row)
        cursor.execute(
            "UPDATE articles SET processed_at = now(), word_count = %s, keywords = %s, summary = %s WHERE id = %s",
            (word_count, keywords, summary, article_id),
        )
    log.info("article %s processed: %d words, keywords %s", article_id, word_count, ", ".join(keywords))


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    db = connect_db(log)
    cache = connect_cache()
    log.info("worker ready, waiting on %s", QUEUE)
    while running:
        touch()
        item = cache.brpop(QUEUE, timeout=5)
        if item is None:
            continue
        try:
            process(db, int(item[1]))
        except Exception:  # noqa: BLE001 - one bad item must not stop the worker
            log.exception("article %s failed", item[1])
            if db.closed:
                db = connect_db(log)
    log.info("worker stopped")


if __name__ == "__main__":
    main()
