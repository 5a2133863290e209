#!/usr/bin/env bash
# bench/loadtickets.sh — sustained POST /api/v1/tickets throughput against a real `steward serve`.
#
#   bench/loadtickets.sh                  fresh SQLite database, 16 clients, 30 s
#   C=32 D=60s bench/loadtickets.sh       more clients, longer
#   DB=postgres://… bench/loadtickets.sh  PostgreSQL instead (an empty database)
#   MIN_RATE=2000 bench/loadtickets.sh    exit 1 when fewer tickets/s were created
#   STEWARD_BIN=/tmp/old bench/loadtickets.sh   run that build of steward instead of building one
#   FROM=/tmp/s1m bench/loadtickets.sh   start from a copy of that SQLite data directory (e.g. 1,000,000 tickets)
#   PERF=/tmp/serve.data bench/loadtickets.sh   record the server with `perf record -g` meanwhile
#                                         (then: perf report -i /tmp/serve.data --no-children)
#
# It builds steward, creates an admin and an API token with the CLI, starts the server on a free
# port, runs bench/loadtickets (keep-alive clients posting en/ja/zh tickets from 20,000
# supporters) and prints throughput, latency percentiles and the server's RSS afterwards.
# Client and server share the machine's cores, as they would on a 2-core box with a local
# integration.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

conc=${C:-16}
dur=${D:-30s}
work=$(mktemp -d /tmp/steward-load.XXXXXX)
server=""
cleanup() {
  [[ -n "$server" ]] && bench_stop "$server"
  rm -rf "$work"
}
trap cleanup EXIT

bench_build "$work"
(cd "$bench_root" && go build -o "$work/loadtickets" ./bench/loadtickets)
args=(--data "$work/data")
if [[ -n "${FROM:-}" ]]; then
  cp -r "$FROM" "$work/data"
fi
[[ -n "${DB:-}" ]] && args+=(--db "$DB")

pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$pw" | "$work/steward" user create "${args[@]}" --email bench@example.org --name "Load test" --role admin --password-stdin >/dev/null
token=$("$work/steward" token create "${args[@]}" --email bench@example.org --name loadtickets | tail -n 1)

port=$(bench_free_port)
"$work/steward" serve "${args[@]}" --addr "127.0.0.1:$port" --log-level warn >"$work/serve.log" 2>&1 &
server=$!
if ! bench_wait_healthz "http://127.0.0.1:$port" 30; then
  echo "steward serve did not answer /healthz:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
bench_machine
if [[ -n "${DB:-}" ]]; then
  echo "database: PostgreSQL"
elif [[ -n "${FROM:-}" ]]; then
  echo "database: SQLite, a copy of $FROM"
else
  echo "database: SQLite (fresh)"
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The SQLite writer's counters (zeros on PostgreSQL): busy seconds, commits, transactions.
writer() { curl -fsS "http://127.0.0.1:$port/metrics" | awk '
  $1 == "steward_db_writer_busy_seconds_total" {b = $2}
  $1 == "steward_db_group_commits_total" {c = $2}
  $1 == "steward_db_group_committed_transactions_total" {t = $2}
  END {printf "%s %s %s\n", b + 0, c + 0, t + 0}'; }
read -r busy0 commits0 txs0 < <(writer)
began=$(date +%s.%N)
cpu0=$(cpu_ticks "$server")
rc=0
perf=""
if [[ -n "${PERF:-}" ]]; then
  perf record -F 499 -g -p "$server" -o "$PERF" >/dev/null 2>&1 &
  perf=$!
fi
STEWARD_TOKEN=$token "$work/loadtickets" --url "http://127.0.0.1:$port" -c "$conc" -d "$dur" --min-rate "${MIN_RATE:-0}" | tee "$work/load.out" || rc=$?
cpu1=$(cpu_ticks "$server")
if [[ -n "$perf" ]]; then
  kill -INT "$perf" 2>/dev/null || true
  wait "$perf" 2>/dev/null || true
fi
read -r busy1 commits1 txs1 < <(writer)
ended=$(date +%s.%N)
hz=$(getconf CLK_TCK)
made=$(grep -o 'created [0-9]* tickets' "$work/load.out" | awk '{print $2}')
total=$(grep -o 'sent [0-9]* requests' "$work/load.out" | awk '{print $2}')
if [[ -n "$total" && "$total" -gt 0 ]]; then
  awk -v c=$((cpu1 - cpu0)) -v hz="$hz" -v n="$total" -v cores="$(nproc)" 'BEGIN {
    ms = c * 1000 / hz / n
    printf "server CPU: %.1f s for %d requests (warm-up included) = %.2f ms CPU per ticket; at most %.0f tickets/s on %d otherwise idle cores\n", c / hz, n, ms, cores * 1000 / ms, cores }'
fi
if [[ -n "$total" && "$total" -gt 0 ]] && awk -v c="$((commits1 - commits0))" 'BEGIN {exit !(c > 0)}'; then
  awk -v b0="$busy0" -v b1="$busy1" -v w0="$began" -v w1="$ended" \
    -v c="$((commits1 - commits0))" -v t="$((txs1 - txs0))" 'BEGIN {
    b = b1 - b0; w = w1 - w0
    printf "SQLite writer: busy %.0f%% of the run, %.3f ms per write transaction (at most %.0f/s), %.1f transactions per commit\n", 100 * b / w, b * 1000 / t, t / b, t / c }'
fi
echo "server after the run: VmRSS $(($(awk '/^VmRSS:/ {print $2}' "/proc/$server/status") / 1024)) MiB, peak $(($(awk '/^VmHWM:/ {print $2}' "/proc/$server/status") / 1024)) MiB"
if [[ -s "$work/serve.log" ]]; then
  echo "server log (warnings and errors), last lines:"
  tail -n 5 "$work/serve.log"
fi
exit "$rc"
