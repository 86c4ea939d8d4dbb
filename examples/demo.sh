#!/usr/bin/env bash
# The demo behind `make demo`: the 2010 4 Deserts season as a race director lives it.
# Loads the series, plays the first three races whole (instant mode, through the public
# imports), shows the series standings (who is still on course for the Grand Slam),
# then plays The Last Desert live, in accelerated time, through simulated chip readers,
# checkpoint stations syncing to a camp server, and the race director's rulings, with a
# live leaderboard. Deterministic: DR_SEED (or the first argument) picks the seasons.
# DR_DEMO_SPEED sets the live race's speed (race seconds per wall second).
set -euo pipefail
cd "$(dirname "$0")/.."
series=examples/4deserts-2010
seed="${1:-${DR_SEED:-2010}}"
speed="${DR_DEMO_SPEED:-1500}"
# The camp server listens on 127.0.0.1:8000 (DR_DEMO_PORT), or any free port if taken.
port="${DR_DEMO_PORT:-8000}"
python3 -c "import socket, sys; socket.socket().bind(('127.0.0.1', int(sys.argv[1])))" "$port" \
  2>/dev/null || port=0
mkdir -p demo
rm -f demo/desert-runners.db demo/desert-runners.db-wal demo/desert-runners.db-shm
export DR_DATABASE_URL="sqlite:///demo/desert-runners.db"
export DR_AUTHOR="demo-timing-crew"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

say desert-runners init
say desert-runners race load "$series/series.yaml"
say desert-runners race show

# The first three races of the season, simulated whole: entrants (the series' regulars
# are the same people in every race), chip reads with the mess of real timing, typed
# entries, withdrawals, penalties and holds, all stored through the usual imports.
# (The example entrants files in $series/entrants are for the tour in README.md: the
# simulated races get their own entrants, never mixed with real ones.)
for race in atacama-crossing-2010 gobi-march-2010 sahara-race-2010; do
  say desert-runners simulate --race "$race" --seed "$seed"
done
export DR_RACE=sahara-race-2010
say desert-runners results --format csv --output demo/sahara-overall.csv
sed -n 1,6p demo/sahara-overall.csv
say desert-runners conflicts
echo "(three races finished: who has all three, and is still on course for the Grand Slam?)"
say desert-runners series --series 4-deserts

# The Last Desert, live: a RaceResult decoder per timing point read by the live reader
# client, a station laptop per checkpoint syncing over HTTP to the camp server, the race
# director's rulings; nights between stages are jumped over.
printf '\n\033[1mThe Last Desert, live at x%s: Ctrl-C stops it cleanly (the camp server address is\nprinted below; DR_DEMO_SPEED=6000 make demo plays it faster)\033[0m\n' "$speed"
say desert-runners simulate --race the-last-desert-2010 --entrants 60 --seed "$seed" \
  --live --speed "$speed" --port "$port"
export DR_RACE=the-last-desert-2010
say desert-runners results --format csv --output demo/last-desert-overall.csv
sed -n 1,6p demo/last-desert-overall.csv
say desert-runners series --series 4-deserts
printf '\nThe demo database is demo/desert-runners.db; try for example:\n'
printf '  %s/desert-runners --db sqlite:///demo/desert-runners.db results --race the-last-desert-2010 --stage 3\n' "$(dirname "$(command -v desert-runners)")"
