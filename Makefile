# Pacer — two commands: `make run` and `make test`. See README.md.

SWIFT        ?= swift
DATA_DIR     ?= ./data
BIN_DEBUG    := .build/debug
SERVICES     := $(shell grep -o 'executable.name: "pacer-[a-z]*"' Package.swift | cut -d'"' -f2 | grep -v -e pacer-bench -e pacer-bus -e pacer-demo -e pacer-fuzz)
APT_PACKAGES := libzmq3-dev libsqlite3-dev pkg-config docker-compose chromium chromium-driver
PY_PACKAGES  := pyzmq pytest pyyaml openapi-spec-validator schemathesis aiosmtpd selenium

.PHONY: run test build deps bench chaos swift-test py-test clean services

## Start every service on the embedded default (SQLite under ./data, ZeroMQ on loopback); Ctrl-C stops them all.
run: deps build
	@DATA_DIR=$(DATA_DIR) BIN_DIR=$(BIN_DEBUG) compose/run-local.sh $(SERVICES)

## The whole test suite: Swift (unit, bus, HTTP) and Python (wire format from docs, compose file).
test: deps
	$(SWIFT) build --build-tests
	$(MAKE) swift-test py-test

swift-test:
	$(SWIFT) test --skip-build --parallel

py-test:
	PACER_BIN_DIR=$(BIN_DEBUG) python3 -m pytest -q Tests/python

build:
	$(SWIFT) build

## Throughput and latency, beside raw libzmq and raw SQLite measured in the same run.
bench: deps
	$(SWIFT) build -c release --product pacer-bench
	.build/release/pacer-bench

## The long form of the chaos test: ten minutes of load while services are killed, paused and
## restarted; prints the load, the faults survived and the differences found (which must be none).
chaos: deps build
	PACER_BIN_DIR=$(BIN_DEBUG) python3 Tests/python/chaos.py --duration $${CHAOS_SECONDS:-600}

## Installs what a fresh Debian machine lacks (apt needs root; skipped when everything is there).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
	fi
	@python3 -c "import zmq, pytest, yaml, openapi_spec_validator, schemathesis, aiosmtpd, selenium" 2>/dev/null || python3 -m pip install -q $(PY_PACKAGES)

services:
	@echo $(SERVICES)

clean:
	rm -rf .build
