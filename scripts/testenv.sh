#!/usr/bin/env bash
# scripts/testenv.sh — throw-away servers for Steward's tests.
#
# Starts, on 127.0.0.1 and on ports picked at run time, in one temp dir under /tmp:
#   PostgreSQL (initdb + pg_ctl, trust auth), Dovecot IMAP (standalone config, passwd-file
#   users), Postfix's smtp-sink (writes each received message to a file), and points the tests
#   at Debian's Chromium. Missing packages are installed with apt-get when we are root or have
#   password-less sudo; otherwise what is missing is printed and the rest still starts.
#
# Run it:
#   scripts/testenv.sh install            install what is missing, start nothing
#   eval "$(scripts/testenv.sh start)"    start everything, export the STEWARD_TEST_* variables
#   scripts/testenv.sh env [DIR]          print the export lines of a running environment
#   scripts/testenv.sh stop [DIR]         stop what `start` started and delete its temp dir
#   scripts/testenv.sh selfcheck [DIR]    check every server really answers (starts and stops
#                                         a private environment when none is given/running)
#   scripts/testenv.sh run -- CMD ARGS    start, run CMD with the variables, stop; CMD's exit code
# DIR defaults to $STEWARD_TESTENV_DIR, which `start` exports.
#
# Or source it from a bash script (which should `set -euo pipefail` itself):
#   source scripts/testenv.sh; testenv_start; trap testenv_stop EXIT
# Sourcing defines testenv_install/_start/_stop/_env/_selfcheck and changes no shell option.
#
# Knobs: STEWARD_TEST_REQUIRE_ALL=1 makes any service that cannot be installed or started an
# error (CI sets it); STEWARD_TESTENV_NO_INSTALL=1 never calls apt-get; PG_BINDIR overrides the
# PostgreSQL binaries directory (default: newest /usr/lib/postgresql/*/bin, preferring 15);
# STEWARD_TESTENV_KEEP=1 makes `stop` keep the temp dir (logs, maildirs, sink files).
#
# docs/testing.md describes the variables and the maildir / sink layouts.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
fi


# ---------------------------------------------------------------------------------------------
# helpers

te_log() { printf 'testenv: %s\n' "$*" >&2; }
te_warn() { printf 'testenv: WARNING: %s\n' "$*" >&2; }
te_require_all() { [[ "${STEWARD_TEST_REQUIRE_ALL:-}" == 1 ]]; }

# te_now prints milliseconds since the epoch (for timings).
te_now() { date +%s%3N; }
te_since() { local s=$1; printf '%d.%01ds' $((($(te_now) - s) / 1000)) $((($(te_now) - s) % 1000 / 100)); }

# te_priv runs a command as root: directly when we are root, through `sudo -n` when allowed.
te_priv() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  else
    sudo -n "$@"
  fi
}
te_can_priv() { [[ $EUID -eq 0 ]] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

# te_pg_bindir prints the PostgreSQL server binaries directory.
te_pg_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/initdb" ]] && { echo "$PG_BINDIR"; return 0; }
    return 1
  fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$d" && -x "$d/initdb" ]] && { echo "$d"; return 0; }
  return 1
}

# The CJK font file that fonts-noto-cjk ships (used to detect the package without dpkg).
_te_cjk_font=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

# te_free_port prints a TCP port on 127.0.0.1 that nothing listens on right now and that this
# script has not handed out yet. The kernel picks it (bind to port 0) when python3 is present.
_te_ports=" "
te_free_port() {
  local p i
  for i in $(seq 1 50); do
    if command -v python3 >/dev/null 2>&1; then
      p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    else
      p=$((20000 + RANDOM % 12000))
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    fi
    [[ "$_te_ports" == *" $p "* ]] && continue
    _te_ports+="$p "
    echo "$p"
    return 0
  done
  te_warn "could not find a free port"
  return 1
}

# te_wait_port PORT SECONDS: wait until something accepts TCP connections on 127.0.0.1:PORT.
te_wait_port() {
  local port=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# te_alive PID: the process exists and is not a zombie (PID 1 here may reap late).
te_alive() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ "$st" != Z && -n "$st" ]]
}
# te_pid_alive PIDFILE
te_pid_alive() { [[ -s "$1" ]] && te_alive "$(cat "$1")"; }

# te_wait_pidfile FILE [SECS]: a daemon may open its port before writing its pid file.
te_wait_pidfile() {
  local f=$1 secs=${2:-5} i
  for ((i = 0; i < secs * 10; i++)); do
    te_pid_alive "$f" && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# install

_te_apt_updated=0
_te_apt() {
  local try
  for try in 1 2 3; do
    if te_priv env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q "$@"; then
      return 0
    fi
    te_warn "apt-get $* failed (try $try of 3)"
    sleep $((try * 5))
  done
  return 1
}

# testenv_install installs what is missing; checks files, not dpkg, so a re-run costs nothing.
testenv_install() {
  local pkgs=() missing=()
  [[ -x /usr/bin/chromium ]] || pkgs+=(chromium)
  [[ -f "$_te_cjk_font" ]] || pkgs+=(fonts-noto-cjk)
  [[ -x /usr/sbin/dovecot ]] || pkgs+=(dovecot-imapd)
  [[ -x /usr/sbin/smtp-sink ]] || pkgs+=(postfix)
  command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
  te_pg_bindir >/dev/null || pkgs+=(postgresql)
  ((${#pkgs[@]})) || return 0

  if [[ "${STEWARD_TESTENV_NO_INSTALL:-}" == 1 ]] || ! te_can_priv || ! command -v apt-get >/dev/null 2>&1; then
    te_warn "missing test dependencies: ${pkgs[*]}"
    te_warn "install them with: sudo apt-get install --no-install-recommends ${pkgs[*]}"
    if te_require_all; then
      te_warn "STEWARD_TEST_REQUIRE_ALL=1: giving up"
      return 1
    fi
    te_warn "continuing with what is present; tests needing the rest will skip"
    return 0
  fi

  local t0
  t0=$(te_now)
  te_log "installing: ${pkgs[*]}"
  if [[ " ${pkgs[*]} " == *" postfix "* ]]; then
    # Only smtp-sink is used; Postfix itself is never started.
    echo "postfix postfix/main_mailer_type select Local only" | te_priv debconf-set-selections
    echo "postfix postfix/mailname string localhost" | te_priv debconf-set-selections
  fi
  if ((_te_apt_updated == 0)); then
    _te_apt update >&2 || { te_warn "apt-get update failed"; te_require_all && return 1; }
    _te_apt_updated=1
  fi
  if ! _te_apt install -y --no-install-recommends "${pkgs[@]}" >&2; then
    te_warn "apt-get install ${pkgs[*]} failed"
    te_require_all && return 1
  fi
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -f "$_te_cjk_font" ]] || missing+=(fonts-noto-cjk)
  [[ -x /usr/sbin/dovecot ]] || missing+=(dovecot)
  [[ -x /usr/sbin/smtp-sink ]] || missing+=(smtp-sink)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  te_pg_bindir >/dev/null || missing+=(postgresql)
  if ((${#missing[@]})); then
    te_warn "still missing after install: ${missing[*]}"
    te_require_all && return 1
  fi
  te_log "installed in $(te_since "$t0")"
  return 0
}

# ---------------------------------------------------------------------------------------------
# services

# Runs a command as the postgres OS user when we are root (initdb refuses root).
_te_as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_te_start_pg() {
  local dir=$1 bindir port try d="$1/pg"
  bindir=$(te_pg_bindir) || { te_warn "PostgreSQL server binaries not found (set PG_BINDIR)"; return 1; }
  mkdir -p "$d"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$d"
  chmod 700 "$d"
  if ! _te_as_pg "$bindir/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$d/initdb.log" 2>&1; then
    te_warn "initdb failed:"; tail -n 20 "$d/initdb.log" >&2
    return 1
  fi
  for try in 1 2 3; do
    port=$(te_free_port) || return 1
    if _te_as_pg "$bindir/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $port -k $d -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >"$d/pg_ctl.log" 2>&1; then
      echo "$bindir" >"$dir/pg.bindir"
      export STEWARD_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
      return 0
    fi
    te_warn "PostgreSQL did not start on port $port (try $try):"
    tail -n 5 "$d/postgres.log" >&2 || true
  done
  return 1
}

_te_start_dovecot() {
  local dir=$1 d="$1/dovecot" m="$1/mail" uid gid port try u conf
  [[ -x /usr/sbin/dovecot ]] || { te_warn "dovecot not installed: no IMAP server"; return 1; }
  if [[ $EUID -eq 0 ]]; then uid=65534 gid=65534; else uid=$(id -u) gid=$(id -g); fi
  mkdir -p "$d/run" "$d/state"
  printf '%s:{PLAIN}secret::::::\n' support@example.org help@example.org >"$d/passwd"
  chmod 644 "$d/passwd"
  for u in support@example.org help@example.org; do
    mkdir -p "$m/$u/Maildir/cur" "$m/$u/Maildir/new" "$m/$u/Maildir/tmp"
  done
  chown -R "$uid:$gid" "$m"
  conf="$d/dovecot.conf"
  for try in 1 2 3; do
    port=$(te_free_port) || return 1
    {
      cat <<EOF
# Standalone Dovecot for Steward's tests (scripts/testenv.sh). Touches nothing in /etc/dovecot.
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
login_greeting = Steward test IMAP ready.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
# Any user of the throw-away domain, password "secret": a private mailbox per test.
passdb {
  driver = static
  args = password=secret
  username_filter = *@test.example.org
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$m/%u
}
protocol imap {
  mail_max_userip_connections = 200
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
      if [[ $EUID -ne 0 ]]; then
        # Unprivileged: every process runs as us, no chroot.
        cat <<EOF
default_internal_user = $(id -un)
default_internal_group = $(id -gn)
default_login_user = $(id -un)
service imap-login {
  chroot =
}
service anvil {
  chroot =
}
EOF
      fi
    } >"$conf"
    rm -f "$d/run/master.pid"
    if /usr/sbin/dovecot -c "$conf" >"$d/start.log" 2>&1 && te_wait_port "$port" 10 &&
      te_wait_pidfile "$d/run/master.pid" 5; then
      export STEWARD_TEST_IMAP_ADDR="127.0.0.1:$port"
      export STEWARD_TEST_IMAP_USERS="support@example.org:secret,help@example.org:secret"
      export STEWARD_TEST_MAILDIR_ROOT="$m"
      export STEWARD_TEST_IMAP_ANYUSER_DOMAIN=test.example.org
      return 0
    fi
    te_warn "Dovecot did not start on port $port (try $try):"
    cat "$d/start.log" >&2
    tail -n 5 "$d/dovecot.log" >&2 2>/dev/null || true
    # Stop whatever this attempt started (its pid file may be late) and clear its sockets,
    # or the next attempt fails with "Socket already exists".
    te_wait_pidfile "$d/run/master.pid" 2 && kill "$(cat "$d/run/master.pid")" 2>/dev/null
    pkill -f -- "-c $conf" 2>/dev/null || true
    sleep 0.5
    rm -rf "$d/run" && mkdir -p "$d/run"
  done
  return 1
}

_te_start_sink() {
  local dir=$1 d="$1/smtp-sink" s="$1/sink" port try userargs=()
  [[ -x /usr/sbin/smtp-sink ]] || { te_warn "smtp-sink (package postfix) not installed: no SMTP sink"; return 1; }
  mkdir -p "$d" "$s"
  if [[ $EUID -eq 0 ]]; then
    chown nobody "$s"
    userargs=(-u nobody)
  fi
  chmod 755 "$s"
  for try in 1 2 3; do
    port=$(te_free_port) || return 1
    rm -f "$d/pid"
    # -a: do not announce AUTH (smtp-sink answers AUTH with 250, which clients take as an error).
    # setsid: survive the terminal's Ctrl-C when started by `make testenv`; the wrapper shell
    # writes its own pid and execs, so the pid file names smtp-sink itself.
    # shellcheck disable=SC2016
    setsid /bin/sh -c 'echo $$ >"$0"; exec "$@"' "$d/pid" \
      /usr/sbin/smtp-sink "${userargs[@]}" -a -d "$s/%M." "127.0.0.1:$port" 100 \
      </dev/null >"$d/smtp-sink.log" 2>&1 &
    if te_wait_port "$port" 10 && sleep 0.2 && te_pid_alive "$d/pid"; then
      export STEWARD_TEST_SMTP_SINK_ADDR="127.0.0.1:$port"
      export STEWARD_TEST_SMTP_SINK_DIR="$s"
      return 0
    fi
    te_warn "smtp-sink did not start on port $port (try $try):"
    cat "$d/smtp-sink.log" >&2
    te_pid_alive "$d/pid" && kill "$(cat "$d/pid")" 2>/dev/null
  done
  return 1
}

# An environment started for one process (test.sh, `run`, a private selfcheck) records that
# process in DIR/owner as "PID STARTTIME"; the next start stops environments whose owner is gone
# (a run killed with SIGKILL never reached its EXIT trap). `make testenv` ones have no owner
# and are left alone.
_te_proc_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
_te_reap_stale() {
  local o pid st d
  for o in /tmp/steward-testenv.*/owner; do
    [[ -f "$o" && -O "$o" ]] || continue
    read -r pid st <"$o" || continue
    [[ -n "$pid" && "$(_te_proc_start "$pid")" == "$st" ]] && continue
    d=${o%/owner}
    te_log "stopping stale environment $d (owner $pid is gone)"
    testenv_stop "$d" || true
  done
}

_te_env_names=(STEWARD_TESTENV_DIR STEWARD_TEST_PG STEWARD_TEST_CHROMIUM STEWARD_TEST_IMAP_ADDR
  STEWARD_TEST_IMAP_USERS STEWARD_TEST_IMAP_ANYUSER_DOMAIN STEWARD_TEST_MAILDIR_ROOT STEWARD_TEST_SMTP_SINK_ADDR
  STEWARD_TEST_SMTP_SINK_DIR STEWARD_TEST_REQUIRE_ALL)

# testenv_start [DIR]: start every service in DIR (default: a new /tmp/steward-testenv.XXXXXX),
# export the variables into this shell and write them to DIR/env.sh.
testenv_start() {
  local dir=${1:-} t0 t failed=() n
  t0=$(te_now)
  _te_reap_stale
  for n in "${_te_env_names[@]}"; do
    [[ $n == STEWARD_TEST_REQUIRE_ALL ]] || unset "$n"
  done
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d /tmp/steward-testenv.XXXXXX)
  else
    mkdir -p "$dir"
  fi
  # postgres, dovecot's login users and nobody must be able to traverse it.
  chmod 755 "$dir"
  export STEWARD_TESTENV_DIR="$dir"
  if [[ -n "${STEWARD_TESTENV_OWNER:-}" ]]; then
    echo "$STEWARD_TESTENV_OWNER $(_te_proc_start "$STEWARD_TESTENV_OWNER")" >"$dir/owner"
  fi
  _te_write_env # so `stop` finds the directory even when a start below fails

  t=$(te_now)
  if _te_start_pg "$dir"; then te_log "PostgreSQL up in $(te_since "$t"): $STEWARD_TEST_PG"; else failed+=(postgresql); fi
  _te_write_env
  t=$(te_now)
  if _te_start_dovecot "$dir"; then te_log "Dovecot IMAP up in $(te_since "$t"): $STEWARD_TEST_IMAP_ADDR"; else failed+=(dovecot); fi
  _te_write_env
  t=$(te_now)
  if _te_start_sink "$dir"; then te_log "smtp-sink up in $(te_since "$t"): $STEWARD_TEST_SMTP_SINK_ADDR"; else failed+=(smtp-sink); fi
  if [[ -x /usr/bin/chromium ]]; then
    export STEWARD_TEST_CHROMIUM=/usr/bin/chromium
  else
    te_warn "chromium not installed: browser tests will skip"
    failed+=(chromium)
  fi
  _te_write_env
  te_log "environment in $dir ready in $(te_since "$t0")${failed[*]:+ (missing: ${failed[*]})}"
  if ((${#failed[@]})) && te_require_all; then
    te_warn "STEWARD_TEST_REQUIRE_ALL=1 and these are missing: ${failed[*]}"
    return 1
  fi
  return 0
}

_te_write_env() {
  local n v q="'" f="$STEWARD_TESTENV_DIR/env.sh"
  {
    echo "# source me: exports of the Steward test environment in $STEWARD_TESTENV_DIR"
    for n in "${_te_env_names[@]}"; do
      v=${!n:-}
      [[ -n "$v" ]] || continue
      printf "export %s='%s'\n" "$n" "${v//$q/$q\\$q$q}"
    done
  } >"$f.tmp"
  mv -f "$f.tmp" "$f"
}

_te_dir() {
  local dir=${1:-${STEWARD_TESTENV_DIR:-}}
  if [[ -z "$dir" ]]; then
    te_warn "no environment directory: pass DIR or set STEWARD_TESTENV_DIR"
    return 1
  fi
  case "$dir" in
    /tmp/*) ;;
    *) te_warn "refusing $dir: not under /tmp"; return 1 ;;
  esac
  echo "$dir"
}

# testenv_env [DIR]: print the export lines.
testenv_env() {
  local dir
  dir=$(_te_dir "${1:-}") || return 1
  [[ -f "$dir/env.sh" ]] || { te_warn "no $dir/env.sh"; return 1; }
  grep '^export ' "$dir/env.sh"
}

# testenv_stop [DIR]: stop what testenv_start started in DIR and remove DIR.
testenv_stop() {
  local dir bindir pid i
  dir=$(_te_dir "${1:-}") || return 0
  [[ -d "$dir" ]] || return 0
  if [[ -f "$dir/pg/data/postmaster.pid" ]]; then
    bindir=$(cat "$dir/pg.bindir" 2>/dev/null || te_pg_bindir || true)
    if [[ -n "$bindir" ]]; then
      _te_as_pg "$bindir/pg_ctl" -D "$dir/pg/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    fi
  fi
  for pidf in "$dir/dovecot/run/master.pid" "$dir/smtp-sink/pid"; do
    if te_pid_alive "$pidf"; then
      pid=$(cat "$pidf")
      kill "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do te_alive "$pid" || break; sleep 0.1; done
      te_alive "$pid" && kill -9 "$pid" 2>/dev/null
    fi
  done
  # Postmaster's pid is in the first line of postmaster.pid if pg_ctl could not stop it.
  if [[ -f "$dir/pg/data/postmaster.pid" ]]; then
    pid=$(head -n 1 "$dir/pg/data/postmaster.pid")
    if [[ -n "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  if [[ "${STEWARD_TESTENV_KEEP:-}" == 1 ]]; then
    te_log "stopped; kept $dir (STEWARD_TESTENV_KEEP=1)"
  else
    rm -rf "$dir"
    te_log "stopped and removed $dir"
  fi
  if [[ "${STEWARD_TESTENV_DIR:-}" == "$dir" ]]; then
    for n in "${_te_env_names[@]}"; do
      [[ $n == STEWARD_TEST_REQUIRE_ALL ]] || unset "$n"
    done
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------
# selfcheck: talk to every server the way a test would

_te_check_pg() {
  local bindir out
  [[ -n "${STEWARD_TEST_PG:-}" ]] || { echo "STEWARD_TEST_PG not set"; return 1; }
  bindir=$(te_pg_bindir) || bindir=/usr/bin
  out=$("$bindir/psql" "$STEWARD_TEST_PG" -v ON_ERROR_STOP=1 -Atq \
    -c "CREATE DATABASE selfcheck_$$" \
    -c "SELECT current_setting('server_version_num')::int / 10000, pg_encoding_to_char(encoding), current_setting('max_connections') FROM pg_database WHERE datname = 'selfcheck_$$'" \
    -c "DROP DATABASE selfcheck_$$" 2>&1) || { echo "psql: $out"; return 1; }
  echo "PostgreSQL $out (version|encoding|max_connections) at ${STEWARD_TEST_PG}"
  [[ "$out" == *"|UTF8|300" ]]
}

_te_check_imap() {
  [[ -n "${STEWARD_TEST_IMAP_ADDR:-}" ]] || { echo "STEWARD_TEST_IMAP_ADDR not set"; return 1; }
  local box="$STEWARD_TEST_MAILDIR_ROOT/support@example.org/Maildir" f subj
  subj="selfcheck $$ $RANDOM 領収書"
  f="selfcheck.$$.$RANDOM"
  # Deliver the way a test does: write into tmp/, rename into new/.
  printf 'From: Donor <donor@example.net>\r\nTo: support@example.org\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s@example.net>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello from selfcheck.\r\n' \
    "$(printf '%s' "$subj" | base64 -w0)" "$f" >"$box/tmp/$f"
  mv "$box/tmp/$f" "$box/new/$f"
  # shellcheck disable=SC2016
  python3 - "$STEWARD_TEST_IMAP_ADDR" "$STEWARD_TEST_IMAP_USERS" "$subj" \
    "$STEWARD_TEST_IMAP_ANYUSER_DOMAIN" "$STEWARD_TEST_MAILDIR_ROOT" <<'PY'
import email.header, imaplib, os, shutil, sys
host, port = sys.argv[1].rsplit(":", 1)
users = [u.split(":", 1) for u in sys.argv[2].split(",")]
want = sys.argv[3]
for user, password in users:
    c = imaplib.IMAP4(host, int(port), timeout=10)
    c.login(user, password)
    typ, data = c.select("INBOX")
    n = int(data[0])
    if user == "support@example.org":
        typ, ids = c.search(None, "ALL")
        found = False
        for i in ids[0].split():
            typ, msg = c.fetch(i, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            raw = msg[0][1].decode("ascii").split(":", 1)[1].strip()
            subj = str(email.header.make_header(email.header.decode_header(raw)))
            if subj == want:
                found = True
                c.store(i, "+FLAGS", "\\Deleted")
        c.expunge()
        if not found:
            sys.exit("IMAP: dropped message %r not found in %s INBOX (%d messages)" % (want, user, n))
    c.logout()
    print("IMAP login ok as %s (INBOX had %d)" % (user, n))
# A private user of the any-user domain: its Maildir is created on first login.
priv = "selfcheck-%d@%s" % (os.getpid(), sys.argv[4])
c = imaplib.IMAP4(host, int(port), timeout=10)
c.login(priv, "secret")
typ, data = c.select("INBOX")
c.logout()
if not os.path.isdir(os.path.join(sys.argv[5], priv, "Maildir")):
    sys.exit("IMAP: no Maildir created for %s" % priv)
shutil.rmtree(os.path.join(sys.argv[5], priv))
print("IMAP login ok as %s (private mailbox created)" % priv)
# A wrong password must be refused.
c = imaplib.IMAP4(host, int(port), timeout=10)
try:
    c.login(users[0][0], "wrong")
    sys.exit("IMAP: wrong password accepted")
except imaplib.IMAP4.error:
    print("IMAP wrong password refused")
PY
}

_te_check_sink() {
  [[ -n "${STEWARD_TEST_SMTP_SINK_ADDR:-}" ]] || { echo "STEWARD_TEST_SMTP_SINK_ADDR not set"; return 1; }
  local tag i f
  tag="selfcheck-$$-$RANDOM"
  python3 - "$STEWARD_TEST_SMTP_SINK_ADDR" "$tag" <<'PY' || return 1
import smtplib, sys
from email.message import EmailMessage
host, port = sys.argv[1].rsplit(":", 1)
m = EmailMessage()
m["From"] = "support@example.org"
m["To"] = "donor@example.net"
m["Subject"] = "Re: " + sys.argv[2]
m.set_content("Thank you, 谢谢, ありがとう.")
with smtplib.SMTP(host, int(port), timeout=10) as s:
    s.send_message(m)
print("SMTP message sent to %s" % sys.argv[1])
PY
  for ((i = 0; i < 50; i++)); do
    f=$(grep -l -r -F "$tag" "$STEWARD_TEST_SMTP_SINK_DIR" 2>/dev/null | head -n 1 || true)
    if [[ -n "$f" ]]; then
      echo "smtp-sink wrote ${f#"$STEWARD_TEST_SMTP_SINK_DIR"/}"
      rm -f "$f"
      return 0
    fi
    sleep 0.1
  done
  echo "smtp-sink: no file containing $tag in $STEWARD_TEST_SMTP_SINK_DIR"
  return 1
}

_te_check_chromium() {
  [[ -n "${STEWARD_TEST_CHROMIUM:-}" ]] || { echo "STEWARD_TEST_CHROMIUM not set"; return 1; }
  local prof out fonts
  prof=$(mktemp -d /tmp/steward-chromium.XXXXXX)
  out=$(timeout 60 "$STEWARD_TEST_CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$prof" --dump-dom \
    'data:text/html;charset=utf-8,<p id="x">steward</p><script>document.getElementById("x").textContent+="-js-ok"</script>' \
    2>"$prof.log") || true
  rm -rf "$prof" "$prof.log"
  fonts=$(fc-match -f '%{family}' 'sans-serif:lang=ja' 2>/dev/null || true)
  echo "Chromium $("$STEWARD_TEST_CHROMIUM" --version 2>/dev/null | awk '{print $2}') rendered a page; Japanese sans font: ${fonts:-none}"
  [[ "$out" == *"steward-js-ok"* ]] || { echo "chromium --dump-dom printed: ${out:0:300}"; return 1; }
  [[ "$fonts" == *CJK* ]] || { echo "no CJK font (install fonts-noto-cjk)"; return 1; }
}

# testenv_selfcheck: check the servers named by the exported variables.
testenv_selfcheck() {
  local fail=() name out t
  for name in pg imap sink chromium; do
    t=$(te_now)
    if out=$("_te_check_$name" 2>&1); then
      printf 'selfcheck: ok   %-8s %s\n%s\n' "$name" "($(te_since "$t"))" "$(sed 's/^/    /' <<<"$out")" >&2
    else
      printf 'selfcheck: FAIL %-8s %s\n%s\n' "$name" "($(te_since "$t"))" "$(sed 's/^/    /' <<<"$out")" >&2
      fail+=("$name")
    fi
  done
  if ((${#fail[@]})); then
    echo "selfcheck: FAILED: ${fail[*]}" >&2
    return 1
  fi
  echo "selfcheck: every service answered" >&2
}

# ---------------------------------------------------------------------------------------------
# command line

_te_main() {
  local cmd=${1:-}
  shift || true
  case "$cmd" in
    install)
      testenv_install
      ;;
    start)
      testenv_install
      if ! testenv_start "${1:-}"; then
        testenv_stop "$STEWARD_TESTENV_DIR"
        return 1
      fi
      testenv_env
      te_log "stop it with: scripts/testenv.sh stop $STEWARD_TESTENV_DIR"
      ;;
    env)
      testenv_env "${1:-}"
      ;;
    stop)
      testenv_stop "${1:-}"
      ;;
    selfcheck)
      local dir=${1:-${STEWARD_TESTENV_DIR:-}}
      if [[ -n "$dir" && -f "$dir/env.sh" ]]; then
        # shellcheck disable=SC1091
        source "$dir/env.sh"
        testenv_selfcheck
      else
        testenv_install
        trap 'testenv_stop' EXIT
        STEWARD_TESTENV_OWNER=$$ testenv_start || true
        testenv_selfcheck
      fi
      ;;
    run)
      [[ "${1:-}" == -- ]] && shift
      (($#)) || { te_warn "usage: scripts/testenv.sh run -- CMD [ARGS...]"; return 2; }
      testenv_install
      trap 'testenv_stop' EXIT
      trap 'exit 130' INT TERM
      STEWARD_TESTENV_OWNER=$$ testenv_start
      local rc=0
      "$@" || rc=$?
      return "$rc"
      ;;
    *)
      sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      [[ -z "$cmd" || "$cmd" == help || "$cmd" == -h || "$cmd" == --help ]] && return 0
      return 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  _te_main "$@"
fi
