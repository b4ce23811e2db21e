"""The web page: static HTML, CSS and JavaScript from rag/interfaces/web, no build step, no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

router = APIRouter(include_in_schema=False)


@router.get("/")
def ask_page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html")


@router.get("/ingest")
def ingest_page() -> FileResponse:
    return FileResponse(WEB_DIR / "ingest.html")


def install_web(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
