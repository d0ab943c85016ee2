"""What every process of news-worker shares: JSON logs, the database and Redis connections, the queue name."""
import json
import logging
import os
import sys
import time

import psycopg2
import redis

QUEUE = "news-worker:articles:pending"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname, "message": record.getMessage(), "logger": record.name}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def logger(name):
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "info").upper(), handlers=[handler])
    return logging.getLogger(name)


def connect_db(log, attempts=30, delay=2.0):
    """PostgreSQL may still be starting (locally and on a first deploy): retry for about a minute."""
    for attempt in range(1, attempts + 1):
        try:
            connection = psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5)
            connection.autocommit = True
            return connection
        except psycopg2.OperationalError as error:
            log.warning("database not ready (attempt %d/%d): %s", attempt, attempts, str(error).strip())
            time.sleep(delay)
    raise RuntimeError("database unreachable")


def connect_cache():
    # REDIS_URL is redis:// locally and rediss:// (TLS) on AWS; redis-py handles both.
    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=10, socket_connect_timeout=5)
