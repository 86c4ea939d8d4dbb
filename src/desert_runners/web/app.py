"""The camp server: stations send what they recorded when a network link exists.

One endpoint does the work: ``POST /api/stations/{station}/sync`` with the station's
token as a Bearer token and a batch of facts as JSON. It answers with how many facts
the camp stored and how many it already had. A batch is stored whole or not at all, and
sending it again changes nothing, so a station that lost the answer simply sends again.
"""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException

from desert_runners.adapters.storage import station_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Fact
from desert_runners.domain.station.wire import WireError, fact_from_wire
from desert_runners.services.station_camp import receive_facts
from desert_runners.services.station_kit import token_hash

MAX_BATCH = 1000  # facts in one request; a station sends 200 at a time


def create_app(context: Context) -> FastAPI:
    app = FastAPI(
        title="Desert Runners camp server",
        summary="Checkpoint stations send their entries here.",
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/")
    def about() -> dict[str, object]:
        # What a person who opens the printed address finds, until the website exists.
        return {
            "service": "Desert Runners camp server",
            "endpoints": {
                "health": "GET /api/health",
                "station sync": "POST /api/stations/{station}/sync (Bearer token)",
            },
            "results": "desert-runners results (the website is not built yet)",
        }

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/stations/{station}/sync")
    def sync(
        station: str,
        body: Any = Body(...),
        authorization: str | None = Header(default=None),
    ) -> dict[str, Any]:
        race = _authorised(context, station, body, authorization)
        facts = _facts(station, body)
        try:
            received = receive_facts(context, race, station, facts)
        except UserError as error:
            raise HTTPException(400, str(error)) from None
        return {
            "race": received.race,
            "station": received.station,
            "stored": len(received.stored),
            "already": len(received.already),
            "through": received.through,
            "keys": {"stored": list(received.stored), "already": list(received.already)},
        }

    return app


def _authorised(context: Context, station: str, body: Any, authorization: str | None) -> str:
    """The race the station's token was issued for, which must be the batch's."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.casefold() != "bearer" or not token.strip():
        raise _refused(401, "the station's token is needed: Authorization: Bearer TOKEN")
    with context.store.read() as connection:
        kit = station_repo.kit_for_token(connection, token_hash(token.strip()))
        race = station_repo.race_slug(connection, kit.race_id) if kit else None
    if kit is None:
        raise _refused(401, "the token is not known at this camp: set the station up with a kit")
    if kit.station != station:
        raise _refused(403, f"the token is station {kit.station}'s, not {station}'s")
    asked = body.get("race") if isinstance(body, dict) else None
    if asked != race:
        raise _refused(403, f"the token was issued for {race}, not {asked}")
    assert race is not None
    return race


def _facts(station: str, body: Any) -> list[Fact]:
    items = body.get("facts")
    if not isinstance(items, list) or not items:
        raise HTTPException(400, 'expected {"race": SLUG, "facts": [FACT, ...]}')
    if len(items) > MAX_BATCH:
        raise HTTPException(413, f"at most {MAX_BATCH} facts in one batch, got {len(items)}")
    facts = []
    for number, item in enumerate(items, start=1):
        try:
            facts.append(fact_from_wire(item, station))
        except WireError as error:
            raise HTTPException(400, f"fact {number}: {error}") from None
    return facts


def _refused(status: int, detail: str) -> HTTPException:
    return HTTPException(status, detail, headers={"WWW-Authenticate": "Bearer"})
