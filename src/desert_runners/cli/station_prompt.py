"""``desert-runners station run``: the checkpoint volunteer's prompt.

A bib and Enter records it now; ``124 09:32`` at a typed time. A doubtful entry is
shown with the reason and saved only if the volunteer answers ``y``. Nothing is ever
said to be saved before it is on the laptop's disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.station.commands import (
    HELP,
    Invalid,
    Nothing,
    Quit,
    Record,
    SetDirection,
    Show,
    Void,
    Withdraw,
    parse_command,
)
from desert_runners.domain.station.wire import sequence
from desert_runners.services.station_desk import (
    Draft,
    Station,
    draft_entry,
    draft_withdrawal,
    due_list,
    last_saved,
    open_station,
    save_draft,
    void_entry,
)

LAST_COUNT = 10
ReadLine = Callable[[str], "str | None"]  # the prompt; None at the end of the input


@dataclass
class Session:
    context: Context
    station: Station
    console: Console
    read_line: ReadLine
    direction: Direction | None
    names: dict[int, str]  # bib -> name: shown with each entry, so a typo shows too

    @property
    def prompt(self) -> str:
        where = self.station.where + (f" {self.direction.value}" if self.direction else "")
        return f"[{where}] > "


def run_prompt(context: Context, console: Console, read_line: ReadLine) -> int:
    """The loop; returns the number of facts saved."""
    station = open_station(context)
    direction = station.setup.direction if station.in_out else None
    due, names = due_list(context, station, direction)
    session = Session(context, station, console, read_line, direction, names)
    console.print(
        f"station {station.name}: {station.race.slug} at {station.where}, "
        f"{len(due.due)} runners due here. Type a bib and Enter; help for the commands.",
        markup=False,
    )
    saved = 0
    while True:
        try:
            line = read_line(session.prompt)
        except KeyboardInterrupt:  # Ctrl-C: leave as quit does, nothing is lost
            line = None
        if line is None:
            break
        command = parse_command(line)
        if isinstance(command, Quit):
            break
        try:
            saved += _do(session, command)
        except UserError as error:
            _say(session, f"not saved: {error}")
    _say(session, f"bye: {saved} saved in this session, all of it on this laptop's disk")
    return saved


def _do(session: Session, command: object) -> int:
    context, station = session.context, session.station
    if isinstance(command, Record):
        draft = draft_entry(context, station, command.bib, command.at, session.direction)
        return _confirm_and_save(session, draft)
    if isinstance(command, Withdraw):
        draft = draft_withdrawal(
            context, station, command.bib, command.at, command.status, command.reason
        )
        return _confirm_and_save(session, draft)
    if isinstance(command, Void):
        saved = void_entry(context, station, command.number, command.reason)
        target = str(saved.fact.payload["target_key"]).rsplit(":", 1)[1]
        _say(session, f"saved #{saved.seq}: #{target} voided (bib {saved.fact.bib})")
        return 1
    if isinstance(command, SetDirection):
        _set_direction(session, command.direction)
    elif isinstance(command, Show):
        _show(session, command.what)
    elif isinstance(command, Invalid):
        _say(session, command.message)
    elif not isinstance(command, Nothing):
        raise AssertionError(command)
    return 0


def _confirm_and_save(session: Session, draft: Draft) -> int:
    for warning in draft.warnings:
        _say(session, f"check: {warning}")
    if draft.warnings:
        answer = session.read_line("save anyway? [y/N] ")
        if (answer or "").strip().casefold() not in {"y", "yes"}:
            _say(session, "not saved: type it again")
            return 0
    saved = save_draft(session.context, session.station, draft)
    _say(session, f"saved #{saved.seq}: {_describe(session, saved.fact)}")
    return 1


def _set_direction(session: Session, direction: Direction) -> None:
    if not session.station.in_out:
        _say(session, f"{session.station.where} records one time: in and out do not apply here")
        return
    session.direction = direction
    _say(session, f"recording {direction.value} times now")


def _show(session: Session, what: str) -> None:
    if what == "help":
        session.console.print(HELP, markup=False)
    elif what == "due":
        due, names = due_list(session.context, session.station, session.direction)
        _say(session, f"due here: {len(due.due)} of {len(names)}: {_bibs(due.due)}")
        if session.station.in_out:
            _say(session, f"in the checkpoint (in, not out): {_bibs(due.inside)}")
    else:
        facts = last_saved(session.context, session.station, LAST_COUNT)
        if not facts:
            _say(session, "nothing saved here yet")
        for fact, voided in facts:
            note = " (voided)" if voided else ""
            _say(session, f"#{sequence(fact)} {_describe(session, fact)}{note}")


def _describe(session: Session, fact: Fact) -> str:
    zone = session.station.race.zone
    at = f"{fact.occurred_at.astimezone(zone):%H:%M:%S}" if fact.occurred_at else "?"
    if fact.kind is EventKind.VOID:
        return f"void of #{str(fact.payload['target_key']).rsplit(':', 1)[1]} at {at}"
    name = session.names.get(fact.bib or 0)
    who = f"bib {fact.bib}" + (f" {name}" if name else " (not an entrant)")
    if fact.kind is EventKind.WITHDRAWAL:
        return f"{who} withdrew ({fact.payload['status']}) at {at}"
    return f"{who} at {at}" + (f" ({fact.direction.value})" if fact.direction else "")


def _bibs(bibs: tuple[int, ...]) -> str:
    return ", ".join(str(bib) for bib in bibs) or "none"


def _say(session: Session, text: str) -> None:
    session.console.print(text, markup=False, highlight=False)
