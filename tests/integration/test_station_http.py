"""Sync over real HTTP on the loopback: the camp server (uvicorn, in a thread) on each
backend, a station on its own SQLite file. Resuming after a dropped link, the token."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from station_world import RACE, at, enter, issue, load_camp, station, station_facts, void

from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.errors import UserError
from desert_runners.domain.station.wire import fact_to_wire
from desert_runners.services.station_desk import open_station
from desert_runners.services.station_send import SyncBatch, own_facts, station_status, sync_to
from desert_runners.web.app import create_app


class CampServer:
    """The camp server on a port of its own; it can be stopped and started again on the
    same port, as a camp laptop that was switched off."""

    def __init__(self, context: Context | None, app: FastAPI | None = None) -> None:
        self.app = app or create_app(context)  # type: ignore[arg-type]
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [listening]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the camp server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        assert self.server is not None
        assert self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def running(context: Context | None, app: FastAPI | None = None) -> Iterator[CampServer]:
    server = CampServer(context, app)
    server.start()
    try:
        yield server
    finally:
        if server.thread is not None and server.thread.is_alive():
            server.stop()


@pytest.fixture
def camp(context: Context) -> Context:
    return load_camp(context)


@pytest.fixture
def cp1(camp: Context, tmp_path: Path) -> Iterator[Context]:
    built = station(tmp_path, issue(camp, tmp_path, "cp1-a"), "cp1-a")
    yield built
    built.store.close()


def test_a_sync_sends_everything_once_then_only_what_is_new(camp: Context, cp1: Context) -> None:
    enter(cp1, 101, at(9, 32))
    enter(cp1, 102, at(9, 33))
    with running(camp) as server:
        first = sync_to(cp1, server.url)
        assert (first.sent, first.stored, first.already, first.through) == (2, 2, 0, 2)
        again = sync_to(cp1, server.url + "/")
        assert (again.batches, again.through) == (0, 2)
        enter(cp1, 103, at(9, 34))
        void(cp1, 1, at(9, 35), "wrong bib")
        later = sync_to(cp1, server.url)
        # The void travels with what it voids: entry 1 is sent again, and is already there.
        assert (later.sent, later.stored, later.already, later.through) == (3, 2, 1, 4)
        everything = sync_to(cp1, server.url, everything=True)
        assert (everything.stored, everything.already) == (0, 4)
    assert len(station_facts(camp)) == 4
    assert station_status(cp1).camps[server.url][0] == 4


def test_a_dropped_link_resumes_after_the_last_confirmed_batch(camp: Context, cp1: Context) -> None:
    for second, bib in enumerate((101, 102, 103, 104, 105)):
        enter(cp1, bib, at(9, 40, second))
    server = CampServer(camp)
    server.start()
    confirmed: list[int] = []

    def link_drops_after_the_first_batch(batch: SyncBatch) -> None:
        confirmed.append(batch.through)
        server.stop()

    with pytest.raises(UserError) as raised:
        sync_to(cp1, server.url, batch_size=2, after_batch=link_drops_after_the_first_batch)
    assert str(raised.value) == (
        f"cannot reach the camp at {server.url} (ConnectError): the entries are safe here; "
        "sync again when the link is back"
    )
    assert confirmed == [2]
    assert len(station_facts(camp)) == 2
    server.start()
    try:
        resumed = sync_to(cp1, server.url, batch_size=2)
    finally:
        server.stop()
    assert (resumed.since, resumed.sent, resumed.stored, resumed.already) == (2, 3, 3, 0)
    assert (resumed.batches, resumed.through) == (2, 5)
    assert len(station_facts(camp)) == 5


def post(url: str, station: str, token: str | None, body: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{url}/api/stations/{station}/sync", json=body, headers=headers)


def test_the_camp_asks_for_the_stations_own_token(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    enter(cp1, 101, at(9, 32))
    found = open_station(cp1)
    token = found.setup.token
    body = {"race": RACE, "facts": [fact_to_wire(fact) for fact in own_facts(cp1, found)]}
    issue(camp, tmp_path, "cp2")
    with running(camp) as server:
        refusals = [
            (post(server.url, "cp1-a", None, body), 401),
            (post(server.url, "cp1-a", "not-the-token", body), 401),
            (post(server.url, "cp2", token, body), 403),
            (post(server.url, "cp1-a", token, body | {"race": "gobi-march-2010"}), 403),
            (post(server.url, "cp1-a", token, {"race": RACE, "facts": []}), 400),
            (post(server.url, "cp1-a", token, {"race": RACE, "facts": [{"key": 1}]}), 400),
            (post(server.url, "cp1-a", token, {"race": RACE, "facts": [{}] * 1001}), 413),
        ]
        details = [response.json()["detail"] for response, _ in refusals]
        assert [response.status_code for response, _ in refusals] == [s for _, s in refusals]
        assert details == [
            "the station's token is needed: Authorization: Bearer TOKEN",
            "the token is not known at this camp: set the station up with a kit",
            "the token is station cp1-a's, not cp2's",
            f"the token was issued for {RACE}, not gobi-march-2010",
            'expected {"race": SLUG, "facts": [FACT, ...]}',
            "fact 1: expected a fact with the fields key, kind, author, occurred_at, "
            "device_time, bib, stage, checkpoint, direction, payload",
            "at most 1000 facts in one batch, got 1001",
        ]
        assert station_facts(camp) == {}
        accepted = post(server.url, "cp1-a", token, body)
        assert accepted.status_code == 200
        assert accepted.json() == {
            "race": RACE,
            "station": "cp1-a",
            "stored": 1,
            "already": 0,
            "through": 1,
            "keys": {"stored": [body["facts"][0]["key"]], "already": []},
        }
        assert httpx.get(f"{server.url}/api/health").json() == {"status": "ok"}
        about = httpx.get(f"{server.url}/").json()  # what the printed address shows
        assert about["service"] == "Desert Runners camp server"
        assert "POST /api/stations/{station}/sync" in about["endpoints"]["station sync"]


def test_a_station_set_up_by_another_camp_is_refused(
    camp: Context, cp1: Context, tmp_path: Path
) -> None:
    other = load_camp(bootstrap(f"sqlite:///{tmp_path / 'other-camp.db'}"))
    enter(cp1, 101, at(9, 32))
    with running(other) as server, pytest.raises(UserError) as raised:
        sync_to(cp1, server.url)
    assert str(raised.value) == (
        f"the camp at {server.url} refused the station: the token is not known at this "
        "camp: set the station up with a kit"
    )
    assert station_status(cp1).camps == {}
    other.store.close()


def test_a_void_without_what_it_voids_is_refused(camp: Context, cp1: Context) -> None:
    enter(cp1, 101, at(9, 32))
    void(cp1, 1, at(9, 33))
    found = open_station(cp1)
    token = found.setup.token
    [_, alone] = [fact_to_wire(fact) for fact in own_facts(cp1, found)]
    with running(camp) as server:
        refused = post(server.url, "cp1-a", token, {"race": RACE, "facts": [alone]})
    assert refused.status_code == 400
    key = alone["key"]
    target = alone["payload"]["target_key"]
    assert refused.json()["detail"] == (
        f"{key} voids {target}, which the camp has not received: "
        "export the station's whole bundle and receive it"
    )
    assert station_facts(camp) == {}


def test_an_address_that_is_not_a_camp(cp1: Context) -> None:
    enter(cp1, 101, at(9, 32))
    nothing_here = FastAPI()
    with running(None, nothing_here) as server, pytest.raises(UserError) as raised:
        sync_to(cp1, server.url)
    assert str(raised.value) == f"the camp at {server.url} answered 404: Not Found"
    answers_nothing = FastAPI()
    answers_nothing.post("/api/stations/{station}/sync")(lambda station: {})
    with running(None, answers_nothing) as server, pytest.raises(UserError) as raised:
        sync_to(cp1, server.url)
    assert str(raised.value) == (
        "the camp's answer has no count of facts stored: is it a Desert Runners camp?"
    )
    assert station_status(cp1).camps == {}
