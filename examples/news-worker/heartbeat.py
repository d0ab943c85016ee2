"""The worker's liveness: `touch` while it waits for work, `check` (its health command) exits 1 when stale."""
import os
import sys
import time

PATH = "/tmp/news-worker-heartbeat"
STALE_SECONDS = 60


def touch():
    with open(PATH, "a"):
        os.utime(PATH, None)


def check():
    try:
        age = time.time() - os.path.getmtime(PATH)
    except FileNotFoundError:
        print("no heartbeat yet")
        return 1
    print("heartbeat %.0fs ago" % age)
    return 0 if age < STALE_SECONDS else 1


if __name__ == "__main__":
    sys.exit(check() if sys.argv[1:] == ["check"] else 0)
