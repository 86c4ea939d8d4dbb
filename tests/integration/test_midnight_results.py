"""The long march of every 2010 race crosses midnight: times of day typed at the
checkpoints give the right stage times in each race's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desert_runners.bootstrap import Context
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import find_race, load_race_file
from desert_runners.services.recording import record_entry
from desert_runners.services.results import result_sheet

EXAMPLES = Path(__file__).parents[2] / "examples" / "4deserts-2010"
LONG_MARCH = 5
# race: (stage start as typed, bib 1's finish the next day, bib 2's, their stage times)
CASES = {
    "atacama-crossing-2010": ("08:00", "01:12:33", "07:59:59", "17:12:33", "23:59:59"),
    "gobi-march-2010": ("09:00", "00:05", "09:30", "15:05:00", "24:30:00"),
    "sahara-race-2010": ("08:00", "02:00", "06:45:10", "18:00:00", "22:45:10"),
    "the-last-desert-2010": ("10:00", "00:00:01", "08:00", "14:00:01", "22:00:00"),
}


def hms(text: str) -> timedelta:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


@pytest.mark.parametrize("race", CASES)
def test_a_long_march_over_midnight_in_each_zone(context: Context, race: str) -> None:
    start, finish_1, finish_2, time_1, time_2 = CASES[race]
    load_race_file(context, EXAMPLES / "series.yaml")
    import_entrants(context, race, EXAMPLES / "entrants" / f"{race}.csv")
    stages = find_race(context, race).race.stages
    for bib, finish in ((1, finish_1), (2, finish_2)):
        # The earlier stages finished (a runner who missed one would be out of the race).
        for stage in stages[: LONG_MARCH - 1]:
            done = stage.start + timedelta(hours=5)
            record_entry(context, race, bib, f"{stage.number}/finish", at=done.isoformat())
        record_entry(context, race, bib, f"{LONG_MARCH}/start", at=start)
        record_entry(context, race, bib, f"{LONG_MARCH}/finish", at=finish)
    context.clock = lambda: datetime(2011, 1, 1, tzinfo=UTC)  # the race is history
    sheet = result_sheet(context, race, stage=LONG_MARCH)
    rows = {row["bib"]: row for row in sheet.sections[0][1].iter_rows(named=True)}
    assert rows[1]["time"] == hms(time_1)
    assert rows[2]["time"] == hms(time_2)
    assert (rows[1]["rank"], rows[2]["rank"]) == (1, 2)
    assert rows[1]["status"] == "finished"
