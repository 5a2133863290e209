# Steward — developer entry points. docs/testing.md explains the test set-up.
#
#   make test                 start throw-away PostgreSQL, Dovecot, smtp-sink (+ Chromium), vet, test
#   make test ARGS='-run TestX ./internal/db/...'
#   make demo                 run the demo (same as `make run`)
#   make build                static binary in bin/steward
#   make bench                Go benchmarks, then bench/*.sh when present (with the test servers)
#                             BENCH=regexp PKGS=./internal/search/... ARGS='-benchtime=2s'
#   eval "$(make -s testenv)" start the test servers and export STEWARD_TEST_* into this shell
#   make testenv-stop         stop the servers started that way (uses $STEWARD_TESTENV_DIR)
#   make selfcheck            check that every test server installs, starts and answers
#   make fmt / make vet

SHELL := /bin/bash
GO    ?= go
ARGS  ?=
BENCH ?= .
PKGS  ?= ./...

.PHONY: test run demo build bench testenv testenv-stop selfcheck fmt vet

test:
	@scripts/test.sh $(ARGS)

run demo:
	$(GO) run ./cmd/steward demo

build:
	CGO_ENABLED=0 $(GO) build -o bin/steward ./cmd/steward

bench:
	@scripts/testenv.sh run -- bash -c 'set -e; \
	  $(GO) test -run="^$$" -bench="$(BENCH)" -benchmem $(ARGS) $(PKGS); \
	  for s in bench/*.sh; do [ -f "$$s" ] || continue; echo "== $$s"; bash "$$s"; done'

testenv:
	@scripts/testenv.sh start

testenv-stop:
	@scripts/testenv.sh stop

selfcheck:
	@scripts/testenv.sh selfcheck

fmt:
	$(GO) fmt ./...

vet:
	$(GO) vet ./...
