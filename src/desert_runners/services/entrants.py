"""Import a race's entrants from a file: good rows stored together, bad rows reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desert_runners.adapters.importers.entrants_file import read_entrants
from desert_runners.adapters.storage import entrant_repo
from desert_runners.adapters.storage.event_log import append
from desert_runners.bootstrap import Context
from desert_runners.domain.entrant import Entrant
from desert_runners.domain.entrant_checks import check_entrant
from desert_runners.domain.events import EventKind, Fact
from desert_runners.services.races import find_race


@dataclass
class EntrantsImported:
    race: str
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({problem.split(": ", 1)[0] for problem in self.problems})


def import_entrants(
    context: Context,
    race_slug: str | None,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> EntrantsImported:
    """``progress(done, total)`` is called after each row, for a progress bar."""
    row = find_race(context, race_slug)
    race = row.race
    parsed = read_entrants(path)
    report = EntrantsImported(
        race=race.slug, file=parsed.file, ignored_columns=list(parsed.ignored_columns)
    )
    report.problems.extend(str(problem) for problem in parsed.problems)
    now = context.clock()
    with context.store.write() as connection:
        from desert_runners.adapters.storage.race_repo import series_id

        owner = series_id(connection, race.series)
        assert owner is not None, "a stored race always has its series"
        facts: list[Fact] = []
        for done, item in enumerate(parsed.rows, start=1):
            if progress is not None:
                progress(done, len(parsed.rows))
            where = f"{parsed.file}:{item.line}"
            issues = check_entrant(item.entrant, race)
            if issues:
                report.problems.extend(f"{where}: {name}: {message}" for name, message in issues)
                continue
            try:
                saved = entrant_repo.save_entrant(
                    connection, row.id, owner, item.entrant, now, context.author
                )
            except entrant_repo.SamePersonTwiceError as twice:
                name, bib = item.entrant.name, twice.bib
                report.problems.append(
                    f"{where}: given_name: {name} is already entered as bib {bib}"
                )
                continue
            setattr(report, saved.outcome, getattr(report, saved.outcome) + 1)
            if saved.outcome != "unchanged":
                facts.append(_entrant_fact(context, parsed.file, item.entrant, saved))
        append(connection, row.id, race.slug, facts, now)
    return report


def _entrant_fact(context: Context, file: str, entrant: Entrant, saved: entrant_repo.Saved) -> Fact:
    """An entrant's registration or change, in the log: who changed what, and when."""
    return Fact(
        kind=EventKind.ENTRANT,
        source=file,
        author=context.author,
        bib=entrant.bib,
        payload={"outcome": saved.outcome, "person_id": saved.person_id, "changes": saved.changes},
    )


def list_entrants(context: Context, race_slug: str | None) -> tuple[str, list[Entrant]]:
    row = find_race(context, race_slug)
    with context.store.read() as connection:
        return row.race.slug, [
            entrant for entrant, _ in entrant_repo.list_entrants(connection, row.id)
        ]
