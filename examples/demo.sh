#!/usr/bin/env bash
# The demo behind `make demo`: what works today, run as a race director would.
# Loads the 2010 4 Deserts series, simulates the Atacama Crossing whole through the
# public imports, shows its results and rulings, and a volunteer's entries on the Gobi.
set -euo pipefail
cd "$(dirname "$0")/.."
series=examples/4deserts-2010
mkdir -p demo
rm -f demo/desert-runners.db demo/desert-runners.db-wal demo/desert-runners.db-shm
export DR_DATABASE_URL="sqlite:///demo/desert-runners.db"
export DR_AUTHOR="demo-timing-crew"
export DR_RACE=atacama-crossing-2010
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

say desert-runners init
say desert-runners race load "$series/series.yaml"
say desert-runners race show
for race in gobi-march-2010 sahara-race-2010 the-last-desert-2010; do
  say desert-runners entrants import "$series/entrants/$race.csv" --race "$race"
done
say desert-runners entrants import "$series/entrants/sahara-race-2010.xlsx" --race sahara-race-2010

# The Atacama Crossing, simulated whole: 150 entrants, chip reads with the mess of real
# timing (duplicates, a reader down, a drifting clock, a swapped bib), typed entries,
# withdrawals, penalties and holds, all stored through the same imports a crew uses.
say desert-runners simulate --race atacama-crossing-2010 --seed 2010
say desert-runners race show atacama-crossing-2010
echo "(the long march, stage 5, crosses midnight in San Pedro de Atacama, UTC-3:)"
desert-runners results --stage 5 --format csv | sed -n 1,8p
say desert-runners results --format csv --output demo/overall.csv
sed -n 1,6p demo/overall.csv
say desert-runners results --by gender --format pdf --output demo/overall-by-gender.pdf
say desert-runners passings --bib 1
say desert-runners conflicts
say desert-runners events list --bib 1 --limit 8

# The race director's rulings: each a new fact, and the results follow.
say desert-runners penalty 3 lost-bib --stage 5 --reason "no bib at CP5" --evidence "photo 112"
say desert-runners neutralise --stage 5 --duration 0:45 --reason "sandstorm hold at CP4"
desert-runners results --stage 5 --format csv | sed -n 1,6p

# A checkpoint volunteer on the Gobi March: times of day only; the date comes from the
# stage. The same entry twice is stored once; a typo is refused with a clear message.
export DR_RACE=gobi-march-2010
say desert-runners record 1 1/CP1 --at 10:32
say desert-runners record 1 1/CP1 --at 10:32:00
say desert-runners record 999 1/CP1 --at 10:40 || true
say desert-runners events list --kind entry
export DR_RACE=atacama-crossing-2010

# Real results from shared/data, when it is beside the checkout: the same engine.
utmb=../shared/data/utmb
if [ -f "$utmb/utmb_2015.csv" ]; then
  say desert-runners import "$utmb/utmb_2015.csv" --course "$utmb/checkpoints_2015_2016.csv" \
    --start "2015-08-28 18:00" --time-zone Europe/Paris
  desert-runners results --race utmb-2015 --format csv | sed -n 1,11p
fi
printf '\nThe demo database is demo/desert-runners.db; try for example:\n'
printf '  %s/desert-runners --db sqlite:///demo/desert-runners.db entrants list --race gobi-march-2010\n' "$(dirname "$(command -v desert-runners)")"
