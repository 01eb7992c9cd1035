# Thin wrapper over CMake: `make run`, `make test`, `make bench`.
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
RUN_ARGS   ?=

DEB_PACKAGES = cmake make gcc g++ pkg-config git openssl \
	libgrpc-dev protobuf-c-compiler libprotobuf-c-dev protobuf-compiler \
	libltdl-dev libyaml-dev libcmocka-dev libfalcosecurity0-dev libjsoncpp-dev libcjson-dev \
	zlib1g-dev libssl-dev libtbb-dev libcurl4-openssl-dev libb64-dev libjq-dev libnats-dev nats-server \
	python3 python3-grpcio python3-protobuf python3-yaml iproute2 util-linux \
	libmicrohttpd-dev prometheus
# The keepalive test's client is grpc-js, from npm. Installed only when node
# or npm is missing: a NodeSource nodejs brings its own npm and conflicts
# with Debian's.
NODE_PACKAGES = nodejs npm

.PHONY: all deps build build-asan node-deps node-deps-asan run test test-asan bench install clean

all: build

# Installs only what is missing; needs root (or sudo) when something is.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing $(NODE_PACKAGES)"; \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DFAPI_SANITIZE=ON $(CMAKE_ARGS)

build-asan: deps $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# Without a kernel driver (no /dev/scap0), `make run` replays the generated
# capture in a loop, paced so that its alerts come at a pace a person can
# read (50 events/s: the demo rules fire on 6 of its ~150 events, about 2
# alerts a second) and keep flowing to subscribers.
RUN_RULES  ?= examples/rules/demo_rules.yaml
RUN_SOURCE ?= $(shell [ -e /dev/scap0 ] || echo "-o engine.capture.file=$(BUILD)/captures/basic.scap -o engine.capture.loop=0 -o engine.capture.rate=50")

run: build
	@echo "make run: alerts print below; from another terminal: $(BUILD)/bin/fapictl outputs watch --min-priority warning (or the example third-party client: /usr/bin/python3 examples/clients/subscribe.py)" >&2
	$(BUILD)/bin/falco-apid -r $(RUN_RULES) $(RUN_SOURCE) $(RUN_ARGS)

# The tests run in a network namespace of their own (tests/netns-run), so
# what they need from the network (grpc-js from npm) is fetched before, into
# the build tree.
NODE_TEST_DIR = node-grpc-js
node_install = if command -v npm >/dev/null && [ ! -e $(1)/$(NODE_TEST_DIR)/node_modules/@grpc/grpc-js/package.json ]; then \
		mkdir -p $(1)/$(NODE_TEST_DIR) && npm install --no-audit --no-fund --loglevel=error \
			--prefix $(1)/$(NODE_TEST_DIR) @grpc/grpc-js@1 || echo "npm install @grpc/grpc-js failed: its tests will skip"; \
	fi

node-deps: build
	@$(call node_install,$(BUILD))

node-deps-asan: build-asan
	@$(call node_install,$(BUILD_ASAN))

test: build node-deps
	cd $(BUILD) && $(CURDIR)/tests/netns-run ctest --output-on-failure -j $(JOBS)

test-asan: build-asan node-deps-asan
	cd $(BUILD_ASAN) && $(CURDIR)/tests/netns-run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

bench: build
	cmake --build $(BUILD) --target bench-all

# `make install PREFIX=/opt/falco-apid` installs there (default: CMake's,
# /usr/local); DESTDIR=... stages the install under another root.
PREFIX ?=
install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
