#!/usr/bin/env bash
# Fan-out benchmark of the openspace live layer next to the two baselines, with the
# shared harness (../shared/bench, see its README): N WebSocket clients watch the demo
# board, each publish is a real board change (POST a hallway meetup through the JSON
# API: validation, SQLite commit, delta, one prepared frame for everybody).
#
#   bench/run_board_fanout.sh                       # N = 1000 5000 10000, K = 20
#   REPS=3 bench/run_board_fanout.sh                # medians of 3 interleaved runs
#   EXPERIMENT="--no-gc-freeze" SERVER_NAME=openspace-nofreeze bench/run_board_fanout.sh
#   EXPERIMENT="--plain-send" SERVER_NAME=openspace-plain bench/run_board_fanout.sh
#   (bench/serve_experiment.py: switches for experiments, not product options)
#   K=1 WARMUP=0 REPS=3 bench/run_board_fanout.sh  # mostly the connect storms
#
# Clients send the Origin a page of the server would (so the origin check is part of
# every accept, for the baselines too).  After the harness's table, bench/accept_rate.py
# prints connections accepted per second and server CPU per connection, with
# openspace's ratios to the baselines of the same run.
#
# Every knob of the harness (NS, K, REPS, SERVERS, ...) passes through.  Not part of
# the test suite.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
HARNESS=${HARNESS:-$(cd "$REPO/../shared/bench" && pwd)}
PY=${PY:-/tmp/venv/bin/python}   # the venv openspace is installed in
PORT=${PORT:-9120}
DB=${DB:-/tmp/openspace-bench.sqlite3}

# A fresh throw-away database per server start, so every run starts from the demo.
# Up to 10,000 clients and every publish come from one address, at one place: far past
# what the limits and quotas allow one venue (README, "Limits"), so they are lifted.
args="--db $DB --demo --listen tcp:$PORT:interface=127.0.0.1:backlog=1024"
args="$args --max-connections 60000 --max-connections-per-address 60000"
args="$args --limit live.address=100000/1s --limit meetup.address=100000/1s"
serve="$PY $HERE/serve_experiment.py --no-quotas ${EXPERIMENT:-} $args"
export SERVER_NAME=${SERVER_NAME:-openspace}
export SERVER_CMD="rm -f $DB $DB-wal $DB-shm; OPENSPACE_FACILITATOR_TOKEN=bench-facilitator-token-0123 exec $serve"
export WS_URL="ws://127.0.0.1:$PORT/api/events/demo/live"
export PUBLISH_URL="http://127.0.0.1:$PORT/api/events/demo/meetups"
export PUBLISH_BODY='{"title": "Packaging chat", "place": "By the coffee"}'
export MATCH='"meetup_started"'
export PY_AUTOBAHN=${PY_AUTOBAHN:-$PY}
export RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
export OUT=${OUT:-$RESULTS_DIR/fanout-$(date +%Y%m%d-%H%M%S).jsonl}
export CLIENT_ARGS=${CLIENT_ARGS:-"--ws-header 'Origin: http://127.0.0.1:$PORT'"}
"$HARNESS/run_fanout.sh"
echo
echo "# connections accepted (the connect phase of every run above)"
"$PY" "$HERE/accept_rate.py" "$OUT"
