#!/usr/bin/env bash
# bench/startup.sh — start-up time and idle memory of `steward serve` on an existing database.
#
#   bench/startup.sh                      SQLite with the demo data (about 1,000 tickets), made first
#   DATA=/tmp/steward-1m bench/startup.sh an existing data directory (e.g. the 1,000,000-ticket one
#                                         that `go run ./bench/inbox --data DIR --generate 1000000` makes)
#   DB=postgres://… bench/startup.sh      an existing PostgreSQL database (seeded with the demo if empty)
#   RUNS=5 IDLE=5 STRICT=1                runs to time, seconds idle before reading RSS, exit 1 on a miss
#
# Start time is from launching the process to the first 200 from /healthz (curl, polled every
# 5 ms), so it includes opening and migrating the database and starting the job queue. Idle RSS is
# VmRSS from /proc/PID/status after IDLE seconds without requests. Targets: start < 1 s, RSS < 60 MB.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

runs=${RUNS:-5}
idle=${IDLE:-5}
work=$(mktemp -d /tmp/steward-startup.XXXXXX)
server=""
cleanup() {
  [[ -n "$server" ]] && bench_stop "$server"
  rm -rf "$work"
}
trap cleanup EXIT

bench_build "$work"
args=()
if [[ -n "${DB:-}" ]]; then
  args=(--db "$DB" --data "$work/data")
elif [[ -n "${DATA:-}" ]]; then
  args=(--data "$DATA")
else
  args=(--data "$work/data")
fi
# An existing database: seed the demo unless it has data already (demo refuses then, harmlessly).
"$work/steward" demo --seed-only "${args[@]}" >/dev/null 2>"$work/seed.log" || { cat "$work/seed.log" >&2; exit 1; }

bench_machine
desc="SQLite with the demo data in $work/data"
[[ -n "${DATA:-}" ]] && desc="SQLite in $DATA ($(du -sh "$DATA" | cut -f1))"
[[ -n "${DB:-}" ]] && desc="PostgreSQL ${DB%%\?*}"
echo "database: $desc"
starts=()
rss_kb=0
for ((i = 1; i <= runs; i++)); do
  port=$(bench_free_port)
  t0=$(bench_now_ms)
  "$work/steward" serve "${args[@]}" --addr "127.0.0.1:$port" --log-level warn >"$work/serve.log" 2>&1 &
  server=$!
  if ! bench_wait_healthz "http://127.0.0.1:$port" 30; then
    echo "steward serve did not answer /healthz within 30 s:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  t1=$(bench_now_ms)
  starts+=($((t1 - t0)))
  echo "run $i: start → /healthz 200 in $((t1 - t0)) ms"
  if ((i == runs)); then
    sleep "$idle"
    rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status")
    hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")
    echo "after ${idle} s idle: VmRSS $((rss_kb / 1024)) MiB ($rss_kb kB), peak VmHWM $((hwm_kb / 1024)) MiB"
  fi
  bench_stop "$server"
  server=""
done
sorted=($(printf '%s\n' "${starts[@]}" | sort -n))
median=${sorted[$((${#sorted[@]} / 2))]}
worst=${sorted[$((${#sorted[@]} - 1))]}
echo "start → /healthz: median $median ms, worst $worst ms over $runs runs (target < 1000 ms)"
echo "idle RSS: $((rss_kb / 1024)) MiB (target < 60 MiB)"
fail=0
((worst < 1000)) || { echo "MISS: start-up over 1 s"; fail=1; }
((rss_kb < 60 * 1024)) || { echo "MISS: idle RSS over 60 MiB"; fail=1; }
if ((fail)) && [[ "${STRICT:-}" == 1 ]]; then exit 1; fi
exit 0
