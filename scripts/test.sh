#!/usr/bin/env bash
# scripts/test.sh — what `make test` runs: start the throw-away servers (scripts/testenv.sh),
# `go vet`, `go test -count=1 -timeout 20m`, stop the servers, exit non-zero if vet or a test
# failed.
#
#   scripts/test.sh                         vet and test ./...
#   scripts/test.sh -run TestX ./internal/db/...   extra go test flags and/or packages
#   make test ARGS='-run TestX ./internal/db/...'  the same through make
#
# Arguments are passed to `go test`; when none of them names a package (./x, ../x, all, or an
# import path of this module), ./... is appended. `go vet` runs on the same packages.
# SKIP_VET=1 skips vet. STEWARD_TEST_REQUIRE_ALL=1 (CI) turns a missing server into a failure
# and runs `scripts/testenv.sh selfcheck` before the tests. docs/testing.md has the details.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh

ms() { echo "$(($(date +%s%3N) - $1))"; }
secs() { local d; d=$(ms "$1"); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }

t_all=$(date +%s%3N)

# Packages named on the command line?
module=$(go list -m 2>/dev/null || echo github.com/steward-desk/steward)
# go test flags that take a value as the next argument (-run X): X is not a package.
valflags=" run skip bench benchtime count cpu timeout parallel p tags coverprofile covermode "
valflags+="coverpkg cpuprofile memprofile memprofilerate blockprofile blockprofilerate mutexprofile "
valflags+="mutexprofilefraction trace outputdir o exec shuffle fuzz fuzztime fuzzminimizetime list "
valflags+="ldflags gcflags asmflags mod modfile overlay pgo vet C toolexec compiler buildmode "
pkgs=()
skip_next=0
for a in "$@"; do
  if ((skip_next)); then skip_next=0; continue; fi
  case "$a" in
    -args | --args) break ;;
    -*=*) ;;
    -*) f=${a#-}; f=${f#-}; [[ "$valflags" == *" $f "* ]] && skip_next=1 ;;
    ./* | ../* | . | .. | all | "$module" | "$module"/*) pkgs+=("$a") ;;
  esac
done
args=()
if ((${#pkgs[@]} == 0)); then
  # ./... goes before -args (what follows -args is for the test binaries).
  pkgs=(./...)
  added=0
  for a in "$@"; do
    if [[ ($a == -args || $a == --args) && $added == 0 ]]; then args+=(./...); added=1; fi
    args+=("$a")
  done
  ((added)) || args+=(./...)
else
  args=("$@")
fi

# -e: a package that does not build still counts (vet/test then report why); if go list itself
# fails (broken go.mod) carry on so that go vet prints the error.
listed=$(go list -e "${pkgs[@]}" 2>/dev/null) || listed="(go list failed)"
if [[ -z "$listed" ]]; then
  echo "test.sh: no Go packages match ${pkgs[*]}; nothing to vet or test" >&2
  # Still prove the test servers work, so a broken environment is seen before code arrives.
  if te_require_all; then
    STEWARD_TESTENV_OWNER=$$ scripts/testenv.sh selfcheck
  fi
  exit 0
fi

# --- servers -----------------------------------------------------------------------------------
t=$(date +%s%3N)
testenv_install
trap 'testenv_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STEWARD_TESTENV_OWNER=$$ testenv_start
if te_require_all; then
  testenv_selfcheck
fi
echo "test.sh: servers ready in $(secs "$t")" >&2

# --- vet ---------------------------------------------------------------------------------------
vet_rc=0
if [[ "${SKIP_VET:-}" != 1 ]]; then
  t=$(date +%s%3N)
  echo "test.sh: go vet ${pkgs[*]}" >&2
  go vet "${pkgs[@]}" || vet_rc=$?
  echo "test.sh: go vet finished in $(secs "$t") (exit $vet_rc)" >&2
fi

# --- test --------------------------------------------------------------------------------------
# Default -p (= GOMAXPROCS = number of cores) is kept: on 2 cores compiling is the bottleneck,
# and PostgreSQL with fsync=off takes little CPU. Add -p N to ARGS to override.
t=$(date +%s%3N)
test_rc=0
echo "test.sh: go test -count=1 -timeout 20m ${args[*]}" >&2
go test -count=1 -timeout 20m "${args[@]}" || test_rc=$?
echo "test.sh: go test finished in $(secs "$t") (exit $test_rc)" >&2

echo "test.sh: total $(secs "$t_all")" >&2
if ((test_rc != 0)); then
  exit "$test_rc"
fi
if ((vet_rc != 0)); then
  echo "test.sh: tests passed but go vet failed" >&2
  exit "$vet_rc"
fi
exit 0
