# Witsper: WordPress on php-fpm + nginx + MariaDB, with a C library called through PHP FFI.
# Each part has its own folder and its own build/test entry points; this file only wires
# them together so that `make help` shows everything in one place.
SHELL := /bin/bash
.DEFAULT_GOAL := build
export WITSPER_ROOT := $(CURDIR)

.PHONY: help build lib probe media install clean up down status logs verify tune \
        test bench bench-page load soak fuzz asan leakcheck lint lint-shell lint-php lint-c \
        test-native test-probe test-media-native test-media test-verify test-stack test-diff test-memcheck \
        test-php test-probe-live test-load test-faults test-security test-under-load \
        test-browser test-lint docker-bases docker-env docker-down test-compose test-swarm \
        test-media-live soak-media bench-media

help: ## List every target with one line each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

build: lib probe media ## Build libwitsper.so, fpm-probe and libwitsper-media.so (the default target)

lib: ## Build native/build/libwitsper.so (C library)
	$(MAKE) -C native

probe: ## Build probe/build/fpm-probe (FastCGI health probe)
	$(MAKE) -C probe

media: ## Build media/build/libwitsper-media.so (image work through libvips, issue 12)
	$(MAKE) -C media

install: ## Install libwitsper (header, .so, pkg-config file) under PREFIX (default /usr/local)
	$(MAKE) -C native install

clean: ## Remove build output (not var/: use `make down` first, then rm -rf var)
	$(MAKE) -C native clean
	$(MAKE) -C probe clean
	$(MAKE) -C media clean

# --- The native stack (no Docker): state lives in var/ -------------------------------------
up: build ## Install packages if missing, start MariaDB, php-fpm, nginx on 127.0.0.1, install WordPress
	stack/up.sh

down: ## Stop exactly the processes `make up` started
	stack/down.sh

status: ## Show the stack's processes and the php-fpm pool status (via fpm-probe)
	stack/status.sh

logs: ## Tail the stack's logs (php-fpm, nginx, MariaDB)
	stack/logs.sh

verify: ## Check the running stack: FFI in php-fpm, ini values, no SIGSEGV, HTTP 200, plugin
	stack/verify.sh

tune: probe ## Recommend pm.max_children from measured worker RSS and available memory
	stack/tune.sh

# --- Docker without a registry: a private engine and stand-in base images (docker/) ---------
docker-bases: ## Build the stand-in base images (php, wordpress, mariadb, nginx) into the private engine
	docker/bases/build.sh

docker-env: ## Print DOCKER_HOST, PATH, DOCKER_CONFIG for eval (make -s docker-env); starts the private engine, builds missing bases
	@docker/engine.sh start >&2
	@docker/bases/build.sh >&2
	@docker/engine.sh env

docker-down: ## Stop the private Docker engine that docker-env / test-compose started (by its pid)
	docker/engine.sh stop

# --- Tests ----------------------------------------------------------------------------------
test: build ## Run every test suite (brings the native stack up and down); ends "N passed, N failed"
	tests/run-all.sh

test-under-load: build ## make test with two busy loops beside it (tests/with-cpu-hog.sh): must pass too
	tests/with-cpu-hog.sh tests/run-all.sh

test-native: ## C library: unit tests, header check, pathological inputs, short fuzz, ASan
	$(MAKE) -C native check

test-media-native: ## libwitsper-media: C unit tests on the media corpus, header check, symbols, ASan
	$(MAKE) -C media check

test-media: ## Witsper_Image_Editor vs GD on >= 200 images: identical sizes metadata, SSIM, bytes (needs `make up`)
	tests/media/run.sh

test-probe: ## fpm-probe: unit tests and a short fuzz run of its response parser
	$(MAKE) -C probe check

test-lint: ## make lint as a suite: one PASS/FAIL per linter and file group (offline)
	tests/lint/run.sh

test-verify: ## make verify, as a suite (needs `make up`)
	stack/verify.sh

test-stack: ## Stack behaviour: idempotent up, multisite, down leaves nothing (own ports)
	tests/stack/run.sh

test-diff: ## Differential tests: native parser vs WP_Block_Parser, serialize() equality
	tests/diff/run.sh

test-memcheck: ## The corpus parsed from PHP under valgrind: no invalid access, no leak
	tests/memcheck/run.sh

test-php: ## PHPUnit tests of the plugin against the stack's WordPress, in 3 FFI modes
	tests/phpunit/run.sh

test-browser: ## The admin and block editor in Debian's chromium (puppeteer-core): no JS error, no 4xx/5xx, screenshots
	tests/browser/run.sh

test-probe-live: ## fpm-probe against the running pool: green, busy, red
	tests/probe/run.sh

test-load: ## Short load run (wrk) in both FFI modes (needs `make up`)
	tests/load/run.sh --short

test-media-live: ## Real uploads over HTTP (REST, async-upload) in both FFI modes: sizes, 4x 48 MP, 200 uploads with 5% bad (needs `make up`)
	tests/media/live.sh

test-faults: ## Fault tests: DB down, worker crashes, missing library, timeouts
	tests/faults/run.sh

test-security: ## Security checks: uploads PHP, dotfiles, listeners, preload, secrets
	tests/security/run.sh

test-compose: ## The Compose stack built and run (private engine, port 8280): the user's four checks, WP-CLI, faults
	tests/compose/run.sh

test-swarm: ## docker stack deploy on a single-node swarm: 3 php-fpm replicas, one killed under load, 0 non-2xx
	tests/compose/swarm.sh

# --- Long runs (not part of `make test`) ------------------------------------------------------
bench: lib ## Native vs WP_Block_Parser on the shared corpus: median time, ratio, peak memory
	bench/run.sh
	@if bash -c '. stack/env.sh && stack_env_load && curl -sf -o /dev/null --max-time 5 "$$WITSPER_URL/"'; then \
	  bench/page-cost.sh; else echo "bench: stack not up, page cost skipped (make up; make bench-page)"; fi

bench-page: build ## Whole-page CPU instructions, plugin on vs off, in a php-fpm worker (callgrind; needs `make up`)
	bench/page-cost.sh

load: build ## Load test at the default size, both FFI modes, plugin on and off
	tests/load/run.sh

soak: build ## Long load run (200,000 requests) with a PNG plot of latency and worker RSS
	tests/load/run.sh --soak

soak-media: build ## The live media suite with the issue's 1,000 uploads (50 corrupt/bombs) per FFI mode (needs `make up`)
	tests/media/live.sh --soak

bench-media: build ## Upload work per image editor (Witsper, GD, Imagick, naive libvips) + wp media regenerate; docs/media.md (needs `make up`)
	bench/media.sh

fuzz: ## Long libFuzzer runs (FUZZ_SECONDS, default 600) of the parser and the probe
	$(MAKE) -C native fuzz
	$(MAKE) -C probe fuzz

asan: ## Build and run the C tests under ASan+UBSan
	$(MAKE) -C native asan
	$(MAKE) -C probe asan

leakcheck: ## C tests under valgrind
	$(MAKE) -C native leakcheck
	$(MAKE) -C probe leakcheck

# --- Lint (docs/lint.md) ---------------------------------------------------------------------
lint: ## Every linter: shellcheck, php -l, phpcs (WordPress-Core), PHPStan or SKIP, cppcheck + clang-tidy
	tests/lint/run.sh

lint-shell: ## shellcheck over every shell script (*.sh and sh/bash shebangs)
	tests/lint/run.sh shell

lint-php: ## php -l over every PHP file, phpcs on plugin/ (phpcs.xml.dist) and the other PHP, PHPStan
	tests/lint/run.sh php

lint-c: ## cppcheck and clang-tidy over the C code (native/, probe/, media/, tests/media/)
	$(MAKE) -C native lint
	$(MAKE) -C probe lint
	$(MAKE) -C media lint
	$(MAKE) -C tests/media lint
