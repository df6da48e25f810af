# Top-level wrapper: the README's two commands are `make demo` and `make test`.
# Everything real lives in CMake; this file only picks build directories.
JOBS    ?= 2
PREFIX  ?= /usr/local
BUILD   ?= build
ASAN    ?= build-asan
CMAKE   ?= cmake
MAKEFLAGS += --no-print-directory

.PHONY: all demo test deps build build-asan install clean bench

all: build

build:
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNACK_WERROR=ON >/dev/null
	@$(CMAKE) --build $(BUILD) -j $(JOBS)

build-asan:
	@$(CMAKE) -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSYNACK_WERROR=ON -DSYNACK_SANITIZE=ON >/dev/null
	@$(CMAKE) --build $(ASAN) -j $(JOBS)

# Installs missing test tools (only when root), then runs every test in both
# configurations; the last line printed is ctest's summary.
deps:
	@scripts/install-deps.sh

# The demo only shows the build's errors, not its progress lines.
demo:
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNACK_WERROR=ON >/dev/null
	@$(CMAKE) --build $(BUILD) -j $(JOBS) --target synack >/dev/null
	@./$(BUILD)/tools/synack demo

test: deps build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

install: build
	@$(CMAKE) --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN)

# Benchmarks (not part of `make test`): Release build (-O2, LTO, no sanitizers)
# in build-bench; as root, installs liblwip-dev for the lwIP peer first. Prints
# one table; `make bench ARGS=--json` (or SYNACK_BENCH_JSON=1) for JSON,
# `make bench ARGS=--conns=1000000` for the full connection range. Build
# output goes to stderr so stdout is only the result. See docs/BENCHMARKS.md.
bench:
	@if [ "$$(id -u)" = 0 ] && ! dpkg -s liblwip-dev >/dev/null 2>&1; then \
	  echo "bench: installing liblwip-dev" >&2; \
	  { apt-get install -y liblwip-dev || { apt-get update && apt-get install -y liblwip-dev; }; } >/dev/null 2>&1 || \
	  echo "bench: could not install liblwip-dev; lwIP figures will be missing" >&2; \
	fi
	@$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	  -DSYNACK_SANITIZE=OFF -DSYNACK_WERROR=ON -DSYNACK_LTO=ON >&2
	@$(CMAKE) --build build-bench -j $(JOBS) --target bench-all >&2
	@bench/run.sh build-bench $(ARGS)

# Fuzzing (not part of `make test`, which runs the replay drivers instead):
# builds the libFuzzer targets with clang (ASan+UBSan) in build-fuzz and runs
# each for FUZZ_SECONDS (default 60), one after another, then prints a
# summary; `make fuzz FUZZ_TARGETS="packet stateful"` picks targets. Crashes
# are kept as build-fuzz/tests/fuzz/crash-*. See tests/fuzz/README.md.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_TARGETS ?= packet tcp_opts reasm stateful stateful_batch
.PHONY: fuzz
fuzz:
	@command -v clang >/dev/null 2>&1 || { echo "fuzz: clang is needed (scripts/install-deps.sh installs it)" >&2; exit 1; }
	@CC=clang $(CMAKE) -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNACK_WERROR=ON \
	  -DSYNACK_SANITIZE=ON >/dev/null
	@$(CMAKE) --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS)) >/dev/null
	@tests/fuzz/run_fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
