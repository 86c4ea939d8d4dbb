"""Receiving is idempotent and commutative: whatever the order and the repetition of the
bundles, compact messages and network batches three stations send, the camp ends with
the same facts. Hypothesis picks the deliveries and their order; every store is real."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from station_world import (
    RACE,
    at,
    enter,
    issue,
    load_camp,
    station,
    station_facts,
    void,
    withdraw,
)

from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.station.wire import fact_from_wire, fact_to_wire, with_void_targets
from desert_runners.services.station_camp import receive_facts, receive_text
from desert_runners.services.station_desk import open_station
from desert_runners.services.station_send import export_bundle, export_compact, own_facts


@dataclass(frozen=True)
class Delivery:
    """One thing a station sends: a text (bundle or compact messages) or a network batch."""

    label: str
    text: str = ""
    station: str = ""
    batch: list[dict[str, Any]] = field(default_factory=list)

    def to(self, camp: Context) -> None:
        if self.text:
            receive_text(camp, self.text, self.label)
        else:  # as the camp server does with a request's body
            facts = [fact_from_wire(item, self.station) for item in self.batch]
            receive_facts(camp, RACE, self.station, facts)


def batch_after(context: Context, since: int) -> list[dict[str, Any]]:
    """What a network sync sends after the camp confirmed ``since``: with void targets."""
    found = open_station(context)
    facts = own_facts(context, found)
    by_key = {fact.key: fact for fact in facts}
    after = [fact for fact in facts if int(fact.key.rsplit(":", 1)[1]) > since]
    return [fact_to_wire(fact) for fact in with_void_targets(after, by_key)]


def compact(context: Context, since: int = 0, max_bytes: int | None = None) -> list[str]:
    return export_compact(context, since, max_bytes).messages


@dataclass
class World:
    template: Path  # the camp's database, race and kits, before anything was received
    deliveries: list[Delivery]
    everything: dict[str, tuple[Any, ...]]  # what the camp holds once it has it all
    copies: int = 0


def build_world(folder: Path) -> World:
    camp = load_camp(bootstrap(f"sqlite:///{folder / 'template.db'}", author="director"))
    kits = {name: issue(camp, folder, name, point) for name, point in STATIONS.items()}
    camp.store.close()
    a = station(folder, kits["cp1-a"], "cp1-a", author="Ana")
    b = station(folder, kits["cp1-b"], "cp1-b", author="Bo")
    c = station(folder, kits["fin"], "fin", author="Cy")
    deliveries: list[Delivery] = []
    enter(a, 101, at(9, 32, 5))
    enter(a, 102, at(9, 45), typed="09:41")
    enter(a, 999, at(9, 50))
    deliveries.append(Delivery("a: bundle of 3", export_bundle(a)[0]))
    deliveries.append(Delivery("a: compact of 3", "\n".join(compact(a))))
    enter(a, 103, at(10, 0))
    void(a, None, at(10, 1), "pressed Enter twice")
    a.author = "Ed"
    withdraw(a, 104, at(10, 10), "blisters")
    deliveries.append(Delivery("a: bundle of 6", export_bundle(a)[0]))
    deliveries.append(Delivery("a: compact after 3", "\n".join(compact(a, since=3))))
    deliveries += [
        Delivery(f"a: compact part {n}", part) for n, part in enumerate(compact(a, 0, 90))
    ]
    deliveries.append(Delivery("a: batch after 3", station="cp1-a", batch=batch_after(a, 3)))
    enter(b, 101, at(9, 41), typed="09:40:00")
    enter(b, 105, at(10, 2))
    enter(b, 104, at(10, 30))
    deliveries.append(Delivery("b: compact of 3", "\n".join(compact(b))))
    deliveries.append(Delivery("b: batch of 2", station="cp1-b", batch=batch_after(b, 0)[:2]))
    void(b, 2, at(10, 40), "that was 150")
    deliveries.append(Delivery("b: bundle of 4", export_bundle(b)[0]))
    deliveries.append(Delivery("b: batch after 3", station="cp1-b", batch=batch_after(b, 3)))
    enter(c, 101, at(14, 0))
    enter(c, 102, at(14, 10, 30), typed="14:10:30")
    deliveries.append(Delivery("fin: bundle", export_bundle(c)[0]))
    deliveries.append(Delivery("fin: compact", "\n".join(compact(c))))
    for context in (a, b, c):
        context.store.close()
    return World(folder / "template.db", deliveries, {})


STATIONS = {"cp1-a": "1/CP1", "cp1-b": "1/CP1", "fin": "1/finish"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    built = build_world(tmp_path_factory.mktemp("stations"))
    with camp_copy(built) as camp:
        for delivery in built.deliveries:
            delivery.to(camp)
        built.everything = station_facts(camp)
    assert len(built.everything) == 6 + 4 + 2
    return built


@contextmanager
def camp_copy(world: World) -> Iterator[Context]:
    """A camp as it was before anything was received: a copy of the template's file."""
    world.copies += 1
    path = world.template.with_name(f"camp-{world.copies}.db")
    shutil.copy(world.template, path)
    context = bootstrap(f"sqlite:///{path}", author="director")
    try:
        yield context
    finally:
        context.store.close()
        path.unlink()


def deliver_all(camp: Context, world: World, order: list[int]) -> dict[str, tuple[Any, ...]]:
    for index in order:
        world.deliveries[index].to(camp)
    return station_facts(camp)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_any_order_and_any_repetition_gives_the_same_store(world: World, data: Any) -> None:
    indices = st.integers(0, len(world.deliveries) - 1)
    chosen = data.draw(st.lists(indices, min_size=1, max_size=12), label="deliveries")
    shuffled = data.draw(st.permutations(chosen), label="another order")
    repeated = data.draw(st.lists(st.sampled_from(chosen), max_size=4), label="sent again")
    with camp_copy(world) as first, camp_copy(world) as second:
        one = deliver_all(first, world, chosen)
        other = deliver_all(second, world, [*shuffled, *repeated])
    assert one == other
    assert one.items() <= world.everything.items()  # nothing but what the stations said


def test_everything_in_reverse_gives_the_same_store_on_each_backend(
    world: World, context: Context, tmp_path: Path
) -> None:
    """The camp on PostgreSQL too: each delivery stored once, whatever the order."""
    load_camp(context)
    for name, point in STATIONS.items():
        issue(context, tmp_path, name, point)
    backwards = list(reversed(range(len(world.deliveries))))
    assert deliver_all(context, world, [*backwards, *backwards]) == world.everything
