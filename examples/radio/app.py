"""Radio Sahoo: lists stations and points players at their HLS streams."""
import json
import logging
import os
import sys

from flask import Flask, abort, jsonify, redirect

logging.basicConfig(stream=sys.stdout, level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                    format='{"time": "%(asctime)s", "level": "%(levelname)s", "message": %(message)r}')
log = logging.getLogger("radio")

STATIONS = json.loads(os.environ.get("STATIONS_JSON", "null")) or [
    {"id": "classic", "name": "Classic FM", "stream": "https://example.com/hls/classic/index.m3u8"},
    {"id": "news", "name": "News 24", "stream": "https://example.com/hls/news/index.m3u8"},
]

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(stations=[{"id": s["id"], "name": s["name"], "listen": f"/listen/{s['id']}"} for s in STATIONS])


@app.get("/listen/<station_id>")
def listen(station_id):
    station = next((s for s in STATIONS if s["id"] == station_id), None)
    if station is None:
        abort(404)
    log.info("listen %s", station_id)
    return redirect(station["stream"], code=302)


@app.get("/health")
def health():
    return jsonify(status="ok", stations=len(STATIONS))
