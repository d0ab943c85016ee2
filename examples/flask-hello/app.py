"""Hello World Flask: one page, a /health endpoint and JSON access logs."""
import json
import logging
import os
import socket
import sys
import time

from flask import Flask, g, jsonify, request


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry)


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
log = logging.getLogger("flask-hello")
log.addHandler(handler)
log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
log.propagate = False

app = Flask(__name__)


@app.before_request
def start_timer():
    g.started = time.monotonic()


@app.after_request
def access_log(response):
    if request.path != "/health":
        fields = {"method": request.method, "path": request.path, "status": response.status_code,
                  "duration_ms": round((time.monotonic() - g.started) * 1000, 1)}
        log.info("request", extra={"fields": fields})
    return response


@app.get("/")
def hello():
    return jsonify(message="Hello, World!", host=socket.gethostname())


@app.get("/health")
def health():
    return jsonify(status="ok")
