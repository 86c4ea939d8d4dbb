"""A result sheet as a printable A4 PDF, to pin up in camp.

The HTML comes from a Jinja2 template (autoescaped) with its CSS embedded; WeasyPrint
lays it out without fetching anything: table headers repeat on every page and the footer
says "Page X of Y".
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from desert_runners.adapters.exporters.formats import (
    category_text,
    duration_text,
    gap_text,
    generated_text,
    rows_of,
    status_label,
    verdict,
)
from desert_runners.results.sheet import ResultSheet

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "result_sheet.html"


def render_html(sheet: ResultSheet) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    return environment.get_template(TEMPLATE).render(
        race=sheet.race,
        title=sheet.title,
        verdict=verdict(sheet),
        official=sheet.official,
        generated=generated_text(sheet),
        sections=[{"heading": heading, "rows": _rows(frame)} for heading, frame in sheet.sections],
    )


def write_pdf(sheet: ResultSheet, path: Path) -> None:
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow: import when used

    HTML(string=render_html(sheet), url_fetcher=_offline).write_pdf(str(path))


def _offline(url: str) -> dict[str, Any]:
    raise ValueError(f"a result sheet fetches nothing ({url})")


def _rows(frame: pl.DataFrame) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen_unranked = False
    for row in rows_of(frame):
        unranked = row["rank"] is None
        classes = ["unranked"] if unranked else []
        if unranked and not seen_unranked and rows:
            classes.append("first-unranked")
        seen_unranked = seen_unranked or unranked
        rows.append(
            {
                "rank": "" if unranked else str(row["rank"]),
                "bib": "" if row["bib"] is None else str(row["bib"]),
                "name": row["name"] or "",
                "nationality": row["nationality"] or "",
                "category": category_text(row["gender"], row["category"]),
                "team": row["team"] or "",
                "time": duration_text(row["time"]),
                "gap": gap_text(row["gap"]),
                "penalty": _penalty(row["penalty"]),
                "status": status_label(row["status"], quiet=True),
                "note": row["note"] or "",
                "classes": " ".join(classes),
            }
        )
    return rows


def _penalty(value: timedelta | None) -> str:
    """Blank when there is none, so the penalties stand out."""
    return "" if not value else duration_text(value)
