"""StreamBoard: a live dashboard of a data feed, cached in Redis so every session does not hit the API."""
import json
import os
import random
import time
import urllib.request

import redis
import streamlit as st

CACHE = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), socket_timeout=2)
FEED_URL = os.environ.get("DATA_FEED_URL", "")


def load_feed():
    cached = CACHE.get("streamboard:feed")
    if cached:
        return json.loads(cached)
    if FEED_URL:
        request = urllib.request.Request(FEED_URL, headers={"Authorization": f"Bearer {os.environ.get('DATA_API_KEY', '')}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            data = json.load(response)
    else:
        now = int(time.time())
        data = [{"t": now - 60 * i, "value": round(random.uniform(90, 110), 2)} for i in range(60)][::-1]
    CACHE.set("streamboard:feed", json.dumps(data), ex=30)
    return data


st.set_page_config(page_title="StreamBoard", layout="wide")
st.title("StreamBoard")
feed = load_feed()
st.metric("latest", feed[-1]["value"], round(feed[-1]["value"] - feed[-2]["value"], 2))
st.line_chart([point["value"] for point in feed])
