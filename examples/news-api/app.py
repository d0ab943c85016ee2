"""News aggregator API: articles stored in PostgreSQL, their count cached in Redis, JSON logs on stdout."""
import json
import logging
import os
import sys
import time

import psycopg2
import psycopg2.extras
import redis
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname, "message": record.getMessage(), "logger": record.name}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "info").upper(), handlers=[handler])
log = logging.getLogger("news-api")

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
COUNT_KEY = "news-api:articles:count"


def connect(attempts=30, delay=2.0):
    """Postgres may still be starting (locally and on first deploy): retry for about a minute."""
    for attempt in range(1, attempts + 1):
        try:
            connection = psycopg2.connect(DATABASE_URL, connect_timeout=5)
            connection.autocommit = True
            return connection
        except psycopg2.OperationalError as error:
            log.warning("database not ready (attempt %d/%d): %s", attempt, attempts, str(error).strip())
            time.sleep(delay)
    raise RuntimeError("database unreachable")


state = {}


def db():
    connection = state.get("db")
    if connection is None or connection.closed:
        connection = state["db"] = connect(attempts=3, delay=1.0)
    return connection


app = FastAPI(title="news-api")


# on_event rather than lifespan: works on every FastAPI from 0.6x to today.
@app.on_event("startup")
def startup():
    state["db"] = connect()
    with state["db"].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS articles ("
            " id SERIAL PRIMARY KEY, title TEXT NOT NULL, url TEXT NOT NULL,"
            " created_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
    state["cache"] = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    log.info("ready")


@app.on_event("shutdown")
def shutdown():
    state["db"].close()


class ArticleIn(BaseModel):
    title: str
    url: str


@app.get("/health")
def health():
    checks = {}
    try:
        with db().cursor() as cursor:
            cursor.execute("SELECT 1")
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


@app.post("/articles", status_code=201)
def create_article(article: ArticleIn):
    with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
        cursor.execute("INSERT INTO articles (title, url) VALUES (%s, %s) RETURNING id, title, url, created_at", (article.title, article.url))
        row = cursor.fetchone()
    state["cache"].delete(COUNT_KEY)
    log.info("article %s created", row["id"])
    return {**row, "created_at": row["created_at"].isoformat()}


@app.get("/articles")
def list_articles(limit: int = 20):
    with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
        cursor.execute("SELECT id, title, url, created_at FROM articles ORDER BY id DESC LIMIT %s", (min(max(limit, 1), 100),))
        rows = cursor.fetchall()
    return [{**row, "created_at": row["created_at"].isoformat()} for row in rows]


@app.get("/articles/count")
def count_articles():
    cached = state["cache"].get(COUNT_KEY)
    if cached is not None:
        return {"count": int(cached), "cached": True}
    with db().cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles")
        count = cursor.fetchone()[0]
    state["cache"].set(COUNT_KEY, count, ex=60)
    return {"count": count, "cached": False}


@app.get("/articles/{article_id}")
def get_article(article_id: int):
    with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
        cursor.execute("SELECT id, title, url, created_at FROM articles WHERE id = %s", (article_id,))
        row = cursor.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="article not found")
    return {**row, "created_at": row["created_at"].isoformat()}
