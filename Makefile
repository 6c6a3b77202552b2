# Pacer — two commands: `make run` and `make test`. See README.md.

SWIFT        ?= swift
SHELL        := /bin/bash
DATA_DIR     ?= ./data
BIN_DEBUG    := .build/debug
SERVICES     := $(shell grep -o 'executable.name: "pacer-[a-z]*"' Package.swift | cut -d'"' -f2 | grep -v -e pacer-bench -e pacer-bus -e pacer-demo -e pacer-fuzz)
APT_PACKAGES := libzmq3-dev libsqlite3-dev libjemalloc-dev pkg-config docker-compose chromium chromium-driver
PY_PACKAGES  := pyzmq pytest pyyaml openapi-spec-validator schemathesis aiosmtpd selenium

.PHONY: run test build deps bench chaos fuzz fuzz-build swift-test py-test clean services

## Start every service on the embedded default (SQLite under ./data, ZeroMQ on loopback); Ctrl-C stops them all.
run: deps build
	@DATA_DIR=$(DATA_DIR) BIN_DIR=$(BIN_DEBUG) compose/run-local.sh $(SERVICES)

## The whole test suite: Swift (unit, bus, HTTP), Python (system, browser, chaos, authorization,
## OpenAPI conformance) and a short fuzzing run of every parser that takes outside input.
test: deps
	$(SWIFT) build --build-tests
	$(MAKE) swift-test py-test
	$(MAKE) fuzz FUZZ_SECONDS=10

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

## libFuzzer on each parser that takes outside input (1C statements, CDR, the Zadarma webhook, bus
## headers and envelopes), FUZZ_SECONDS each, in its own build folder. A crash leaves its input in
## .build-fuzz/crash-<target>-*; copy it into Tests/Fuzz/<target>/ and it becomes a regression input.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS := statement cdr zadarma envelope
FUZZ_FLAGS   := -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$t; \
		echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no PACER_FUZZ_TARGET=$$t .build-fuzz/debug/pacer-fuzz .build-fuzz/corpus/$$t Tests/Fuzz/$$t \
			-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(CURDIR)/.build-fuzz/crash-$$t- 2>&1 | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+== ERROR|.*Fatal error|artifact_prefix)' ; \
		test $${PIPESTATUS[0]} -eq 0 || { echo "fuzz $$t: crash — input saved under .build-fuzz/"; exit 1; }; \
	done

fuzz-build:
	$(SWIFT) build --scratch-path .build-fuzz --product pacer-fuzz $(FUZZ_FLAGS)

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
