#!/usr/bin/env bash
# The demo behind `make demo`: what works today, run as a race director would.
# Loads the 2010 4 Deserts series, imports every race's entrants, records a night of
# the Atacama Crossing's long march (it crosses midnight) and lists the event log.
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
for race in atacama-crossing-2010 gobi-march-2010 sahara-race-2010 the-last-desert-2010; do
  say desert-runners entrants import "$series/entrants/$race.csv" --race "$race"
done
say desert-runners entrants import "$series/entrants/sahara-race-2010.xlsx" --race sahara-race-2010
say desert-runners race show atacama-crossing-2010

# The long march (stage 5) starts 2010-03-11 08:00 in San Pedro de Atacama (UTC-3).
# Checkpoint volunteers write times of day only; the date comes from the stage.
say desert-runners record 1 5/start --at 08:00
say desert-runners record 1 5/CP4 --at 15:42:10
say desert-runners record 1 5/CP5 --at 17:05:40
say desert-runners record 1 5/CP5 --at 17:31 --direction out
say desert-runners record 3 5/CP5 --at 23:48:05
say desert-runners record 3 5/CP5 --at 00:35 --direction out
say desert-runners record 1 5/finish --at 21:12:33
say desert-runners record 3 5/finish --at 05:55:20
echo "(the same entry again is stored once:)"
say desert-runners record 3 5/finish --at 05:55:20
echo "(a typo is refused with a clear message, exit code 1:)"
say desert-runners record 4 5/finish --at 06:10 || true
say desert-runners events list --kind entry
say desert-runners events list --bib 3 --json

# The race director's rulings, then results computed from the whole log.
say desert-runners start 1 --stage 5 --at 08:20 --reason "late from the medical tent"
say desert-runners neutralise --stage 5 --duration 0:45 --reason "sandstorm hold at CP4"
say desert-runners penalty 3 lost-bib --stage 5 --reason "no bib at CP5" --evidence "photo 112"
desert-runners results --stage 5 --format csv | sed -n 1,6p
say desert-runners results --stage 5 --format pdf --output demo/stage-5.pdf

# Real results from shared/data, when it is beside the checkout: the same engine.
utmb=../shared/data/utmb
if [ -f "$utmb/utmb_2015.csv" ]; then
  say desert-runners import "$utmb/utmb_2015.csv" --course "$utmb/checkpoints_2015_2016.csv" \
    --start "2015-08-28 18:00" --time-zone Europe/Paris
  desert-runners results --race utmb-2015 --format csv | sed -n 1,11p
fi
printf '\nThe demo database is demo/desert-runners.db; try for example:\n'
printf '  %s/desert-runners --db sqlite:///demo/desert-runners.db entrants list --race gobi-march-2010\n' "$(dirname "$(command -v desert-runners)")"
