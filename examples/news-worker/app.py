"""The News API: articles in PostgreSQL, new ones queued in Redis for the worker, digests from the fetch job.
The tables come from migrate.py (release.before), not from this process."""
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from common import QUEUE, connect_cache, connect_db, logger

log = logger("news-worker")
state = {}
app = FastAPI(title="news-worker")


def db():
    connection = state.get("db")
    if connection is None or connection.closed:
        connection = state["db"] = connect_db(log, attempts=3, delay=1.0)
    return connection


# on_event rather than lifespan: works on every FastAPI from 0.6x to today.
@app.on_event("startup")
def startup():
    state["db"] = connect_db(log)
    state["cache"] = connect_cache()
    log.info("ready")


class ArticleIn(BaseModel):
    title: str
    url: str
    body: str = ""


def article(row):
    keys = ["id", "title", "url", "created_at", "processed_at", "word_count", "keywords", "summary"]
    out = dict(zip(keys, row))
    for key in ("created_at", "processed_at"):
        out[key] = out[key].isoformat() if out[key] else None
    out["processed"] = out["processed_at"] is not None
    return out


COLUMNS = "id, title, url, created_at, processed_at, word_count, keywords, summary"


@app.get("/health")
def health():
    checks = {}
    try:
        with db().cursor() as cursor:
            cursor.execute("SELECT 1 FROM articles LIMIT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - health reports any failure
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        state["cache"].ping()
        checks["cache"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if healthy else "unhealthy", "checks": checks}, status_code=200 if healthy else 503)


@app.post("/articles", status_code=202)
def create_article(item: ArticleIn):
    with db().cursor() as cursor:
        cursor.execute(f"INSERT INTO articles (title, url, body) VALUES (%s, %s, %s) RETURNING {COLUMNS}", (item.title, item.url, item.body))
        row = cursor.fetchone()
    state["cache"].lpush(QUEUE, row[0])
    log.info("article %s queued", row[0])
    return article(row)


@app.get("/articles")
def list_articles(limit: int = 20):
    with db().cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM articles ORDER BY id DESC LIMIT %s", (min(max(limit, 1), 100),))
        return [article(row) for row in cursor.fetchall()]


@app.get("/articles/{article_id}")
def get_article(article_id: int):
    with db().cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM articles WHERE id = %s", (article_id,))
        row = cursor.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="article not found")
    return article(row)


@app.get("/digests/latest")
def latest_digest():
    with db().cursor() as cursor:
        cursor.execute("SELECT id, created_at, article_count, word_count, top_keywords FROM digests ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="no digest yet: the fetch job runs every 15 minutes (berth jobs run fetch)")
    return {"id": row[0], "created_at": row[1].isoformat(), "article_count": row[2], "word_count": row[3], "top_keywords": row[4]}


@app.get("/stats")
def stats():
    with db().cursor() as cursor:
        cursor.execute("SELECT count(*), count(processed_at) FROM articles")
        articles, processed = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM digests")
        digests = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM migration_runs")
        migrations = cursor.fetchone()[0]
    return {"articles": articles, "processed": processed, "queued": state["cache"].llen(QUEUE), "digests": digests, "migrationRuns": migrations}
