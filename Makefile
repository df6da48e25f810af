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
