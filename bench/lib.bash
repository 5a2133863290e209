#!/usr/bin/env bash
# bench/lib.bash — helpers shared by the bench/*.sh scripts (sourced, not run).

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# bench_free_port prints a TCP port on 127.0.0.1 that nothing listens on.
bench_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# bench_build DIR builds the steward binary into DIR/steward (as `make build` does),
# or copies $STEWARD_BIN when set (to compare two builds with the same script).
bench_build() {
  if [[ -n "${STEWARD_BIN:-}" ]]; then
    cp "$STEWARD_BIN" "$1/steward"
    return
  fi
  (cd "$bench_root" && CGO_ENABLED=0 go build -o "$1/steward" ./cmd/steward)
}

# bench_now_ms prints milliseconds since the epoch.
bench_now_ms() { date +%s%3N; }

# bench_wait_healthz URL SECONDS: poll URL/healthz until it answers 200.
bench_wait_healthz() {
  local url=$1 secs=${2:-30} end
  end=$(($(bench_now_ms) + secs * 1000))
  while (($(bench_now_ms) < end)); do
    if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then return 0; fi
    sleep 0.005
  done
  return 1
}

# bench_stop PID: stop a server this script started, and wait for it.
bench_stop() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# bench_machine prints the facts a figure depends on.
bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, $(go version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
