"""Consultation back end: the consultation-notes API and the static Next.js front end on one port."""
import logging
import os
import sys
from pathlib import Path

from fastapi import FastAPI, Header, HTTPException
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='{"time": "%(asctime)s", "level": "%(levelname)s", "message": %(message)r}')
log = logging.getLogger("consultation")

app = FastAPI(title="consultation")


class Visit(BaseModel):
    patient: str
    notes: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/api/summary")
def summary(visit: Visit, authorization: str = Header(default="")):
    if not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="sign in first")
    if not os.environ.get("OPENAI_API_KEY"):
        raise HTTPException(status_code=503, detail="OPENAI_API_KEY is not set (berth secrets set OPENAI_API_KEY)")
    # The model call is left out of the example; the shape of the answer is what the front end expects.
    sentences = [part.strip() for part in visit.notes.split(".") if part.strip()]
    log.info("summary for one visit (%d sentences)", len(sentences))
    return {"patient": visit.patient, "summary": ". ".join(sentences[:3]), "next_steps": sentences[3:5]}


static = Path(__file__).parent / "static"
if static.is_dir():
    app.mount("/", StaticFiles(directory=static, html=True), name="static")
