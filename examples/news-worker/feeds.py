"""An RSS feed of the processed articles: a second web service (Flask) behind the same load balancer,
reached through the path route /feeds/* (the load balancer keeps the path: the routes start with /feeds)."""
from xml.sax.saxutils import escape

from flask import Flask, Response, jsonify

from common import connect_db, logger

log = logger("feeds")
app = Flask(__name__)
state = {}


def db():
    connection = state.get("db")
    if connection is None or connection.closed:
        connection = state["db"] = connect_db(log, attempts=3, delay=1.0)
    return connection


@app.get("/health")
def health():
    try:
        with db().cursor() as cursor:
            cursor.execute("SELECT 1")
        return jsonify(status="ok")
    except Exception as error:  # noqa: BLE001 - health reports any failure
        return jsonify(status="unhealthy", error=error.__class__.__name__), 503


@app.get("/feeds/")
def index():
    return jsonify(feeds=["/feeds/latest.xml"], service="feeds")


@app.get("/feeds/latest.xml")
def latest():
    with db().cursor() as cursor:
        cursor.execute("SELECT title, url, summary FROM articles WHERE processed_at IS NOT NULL ORDER BY processed_at DESC LIMIT 20")
        rows = cursor.fetchall()
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(url)}</link><description>{escape(summary or '')}</description></item>"
        for title, url, summary in rows
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>news-worker</title><link>/</link><description>Processed articles</description>{items}</channel></rss>'
    return Response(xml, mimetype="application/rss+xml")
