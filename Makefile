# owl: the on-call incident toolkit. `make` builds ./owl; `make test` runs
# every test; `make demo` shows it working. Missing Debian packages are
# installed by .ci/deps (as root) before anything is built.

CC      ?= cc
# LINK_PKGS are linked statically, from the .a archives their Debian -dev
# packages ship: every command needs them, and loading them as shared
# objects cost every owl process ~4 ms of CPU before main() (relocations,
# page faults; libcrypto alone ~3 ms). A Debian security update of one of
# them reaches owl when owl is rebuilt (make). LAZY_PKGS are not linked:
# owl loads them when a command uses them (integrations/lazy.h; libpq:
# engine/store_pg.c); only their headers are used at build time.
LINK_PKGS = lua5.4 sqlite3 ncursesw jansson libcrypto libseccomp
LAZY_PKGS = libgit2 libcurl libmicrohttpd gnutls libpq
PKGS     = $(LINK_PKGS) $(LAZY_PKGS)
WARN     = -std=c11 -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The C library's own parts (-ldl, -pthread) stay shared; libm is not
# linked: owl loads it at the first call of a math function
# (integrations/lazy_libm.c; as a DT_NEEDED library it cost every process
# ~0.6 ms of CPU). owl-worker links its own libm statically.
SYS_LIBS   = -lm -ldl -lpthread -pthread -lz
LINK_LIBS  = $(filter-out $(SYS_LIBS),$(shell pkg-config --libs $(LINK_PKGS) \
             2>/dev/null))
# pack-relative-relocs: the position-independent executable's ~4,000
# relocations as a bitmap (DT_RELR) instead of 96 KiB of entries to read
# at every exec.
LIBS       = -Wl,-z,pack-relative-relocs -Wl,--as-needed -Wl,-Bstatic \
             $(LINK_LIBS) -Wl,-Bdynamic -pthread -ldl
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) -MMD -MP

# engine/worker/ is the runbook worker's side (the Lua VM, the runbook API,
# the sandbox, the protocol): tests/05-layers.t checks that none of it
# includes the store, the action log or the effects interface.
LIB_SRC  = $(wildcard engine/*.c) $(wildcard engine/worker/*.c) \
           $(wildcard integrations/*.c)
TUI_SRC  = $(wildcard tui/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)

OBJ      = $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(TUI_SRC))
ASAN_LIB = $(patsubst %.c,build/asan/%.o,$(LIB_SRC))
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(LIB_SRC) $(TUI_SRC))
UNIT_BIN = $(patsubst tests/unit/%.c,build/asan/unit/%,$(UNIT_SRC))
LIB_OBJ  = $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
TOOL_BIN = $(patsubst tests/tools/%.c,build/tools/%,$(wildcard tests/tools/*.c)) \
           build/tools/gateway
GW_SRC   = $(wildcard tests/demo/gateway/*.c)

DEPS_STAMP = build/.deps-build

# The lazily loaded libraries' names (integrations/lazy/NAME.def) as macros
# calling through their tables, and the sonames they were built against.
LAZY_DEF = $(wildcard integrations/lazy/*.def)
LAZY_GEN = $(patsubst integrations/lazy/%.def,build/gen/lazy/%.h,$(LAZY_DEF)) \
           build/gen/lazy/sonames.h
# The worker's seccomp filter (engine/worker/rb_filter.h), rendered to BPF
# by libseccomp once here rather than in every worker.
FILTER_GEN = build/gen/rb_filter_bpf.h
GEN_HDRS   = $(LAZY_GEN) $(FILTER_GEN)
.SECONDARY: $(GEN_HDRS)
LAZY_HINT = { echo "owl: an undefined git_, curl_, MHD_, gnutls_ or" \
            "OpenSSL name? add it to integrations/lazy/NAME.def; a math" \
            "function (sin, pow)? to integrations/lazy_libm.c" >&2; exit 1; }

.PHONY: all deps asan test test-pg test-tools test-asan unit tools fuzz check-fmt fmt bench demo clean
all: owl

# Installs only what is missing; a stamp keeps it from asking dpkg each time.
$(DEPS_STAMP): .ci/deps
	@sh .ci/deps build
	@mkdir -p build && touch $@
deps: $(DEPS_STAMP)

owl: $(DEPS_STAMP) $(OBJ) owl-worker build/obj/gen/worker_id.o
	@echo "LD $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) build/obj/gen/worker_id.o $(LIBS) \
		|| $(LAZY_HINT)

# The runbook worker as a program of its own, beside owl (rb_worker.h):
# static, so that starting one loads nothing. Without it owl forks.
WORKER_SRC = $(filter-out engine/worker/rb_filter.c,$(wildcard engine/worker/*.c)) \
             engine/worker/main/owl_worker.c \
             engine/buf.c engine/clock.c engine/err.c engine/heap.c \
             engine/jdump.c engine/jsort.c engine/sanitize.c engine/words.c
WORKER_OBJ = $(patsubst %.c,build/obj/%.o,$(WORKER_SRC))
owl-worker: $(DEPS_STAMP) $(WORKER_OBJ)
	@echo "LD $@"
	@$(CC) $(ALL_CFLAGS) -static -Wl,--build-id=sha1 -o $@ $(WORKER_OBJ) \
		-llua5.4 -ljansson -lm

# owl records the GNU build id of the owl-worker it is linked with and
# spawns only a program with that id (rb_worker_program): an old
# owl-worker beside a newer owl (a partial copy, `make owl-worker` alone)
# is not run. Relinking owl-worker rewrites this, and so relinks owl.
build/gen/worker_id.c: owl-worker
	@mkdir -p $(dir $@)
	@id=$$(readelf -n owl-worker | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$$/\1/p'); \
	[ -n "$$id" ] || { echo "owl: owl-worker has no GNU build id" >&2; exit 1; }; \
	printf '%s\nconst char rb_worker_build_id[] = "%s";\n' \
		'/* written by make: the build id of owl-worker (rb_worker.h) */' \
		"$$id" >$@.tmp && mv $@.tmp $@
build/obj/gen/worker_id.o: build/gen/worker_id.c
	@mkdir -p $(dir $@)
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(FILTER_GEN): engine/worker/main/rb_filter_gen.c engine/worker/rb_filter.c \
		engine/worker/rb_filter.h $(DEPS_STAMP)
	@mkdir -p build/gen
	@echo "GEN $@"
	@$(CC) $(WARN) $(CFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
		-o build/gen/rb_filter_gen engine/worker/main/rb_filter_gen.c \
		engine/worker/rb_filter.c -Wl,-Bstatic -lseccomp -Wl,-Bdynamic
	@build/gen/rb_filter_gen >$@.tmp && mv $@.tmp $@

build/gen/lazy/%.h: integrations/lazy/%.def
	@mkdir -p $(dir $@)
	@sed -n 's/^LAZY(\([A-Za-z0-9_]*\))$$/#undef \1\n#define \1 (*lazy_$*.\1)/p' \
		$< >$@.tmp && mv $@.tmp $@
build/gen/lazy/sonames.h: integrations/lazy/sonames.sh $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@sh integrations/lazy/sonames.sh "$(CC)" >$@.tmp && mv $@.tmp $@

build/obj/%.o: %.c $(DEPS_STAMP) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(DEPS_STAMP) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@echo "CC [asan] $<"
	@$(CC) $(ALL_CFLAGS) $(SANITIZE) -c -o $@ $<

# owl built with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: build/asan/owl
build/asan/owl: $(ASAN_OBJ)
	@echo "LD [asan] $@"
	@$(CC) $(ALL_CFLAGS) $(SANITIZE) -o $@ $(ASAN_OBJ) $(LIBS) || $(LAZY_HINT)

build/asan/unit/%: tests/unit/%.c tests/unit/unit.h $(ASAN_LIB)
	@mkdir -p $(dir $@)
	@echo "LD [asan] $@"
	@$(CC) $(ALL_CFLAGS) $(SANITIZE) -o $@ $< $(ASAN_LIB) \
		$(LIBS) $$(pkg-config --libs cmocka) || $(LAZY_HINT)

unit: $(UNIT_BIN)

# Helper programs the shell tests and benchmarks use (never installed).
build/tools/%: tests/tools/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) || $(LAZY_HINT)
# The demo AI gateway (tests/demo/gateway): test and demo scaffolding,
# linked with nothing of owl's.
build/tools/gateway: $(GW_SRC) tests/demo/gateway/gw.h $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -pthread -o $@ $(GW_SRC) $(PKG_LIBS) -lm
tools: $(TOOL_BIN)

# The shell tests (SHELL_TESTS picks some: make test-pg
# SHELL_TESTS=tests/11-store.t) and what they need besides owl: the test
# packages and the helper programs (build/tools).
SHELL_TESTS ?= tests/*.t
PROVE = prove -j2 --failures
test-tools: owl
	@sh .ci/deps test
	@$(MAKE) --no-print-directory tools

# Unit tests (under ASan+UBSan) and shell integration tests, one TAP run;
# prove's closing "Result: PASS" is the line CI reads.
test: test-tools
	@$(MAKE) --no-print-directory check-fmt unit
	CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 \
		$(PROVE) $(UNIT_BIN) $(SHELL_TESTS)

# The same shell tests on PostgreSQL (issue 18): tests/pg.sh starts one
# throwaway cluster (127.0.0.1, free port), each test file gets a fresh
# database on it (tests/lib.sh), the cluster is stopped; ends with prove's
# "Result:" line. The unit tests are make test's.
test-pg: test-tools
	sh tests/pg.sh run $(PROVE) $(SHELL_TESTS)

# The shell tests again, against build/asan/owl (AddressSanitizer and
# UndefinedBehaviorSanitizer on every path the tests drive: the receiver,
# the TUI, the runbook worker), leaks included: tests/lib.sh fails a test
# file on any report of any owl it ran (servers and detached runs too);
# tests/lsan.supp lists the leaks of system libraries only. Slower
# (~11 min on 2 cores); not part of make test.
test-asan: test-tools asan
	OWL_BIN=$(CURDIR)/build/asan/owl ASAN_OPTIONS=detect_leaks=1 \
		$(PROVE) $(SHELL_TESTS)

bench: owl
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory tools
	@sh tests/bench/run.sh

demo: owl
	@sh .ci/deps test
	@$(MAKE) --no-print-directory build/tools/gateway
	@sh tests/demo.sh

# libFuzzer harnesses (clang) for the parsers of untrusted input, each run
# for FUZZ_SECONDS (FUZZ_RUN picks some: FUZZ_RUN=build/fuzz/fuzz_broker);
# corpora seeded from tests/fixtures/payloads, the example runbooks
# (fuzz_rbmeta) and tests/fuzz/seeds/NAME. Everything a run writes (the
# corpus it grows, crash/leak/timeout inputs) goes under FUZZ_DIR; the
# tracked seeds are only read (libFuzzer writes to its first corpus
# directory alone), so a fuzz run leaves `git status` clean.
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= build/fuzz
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_RUN ?= $(FUZZ_BIN)
FUZZ_LIB = $(filter-out integrations/serve% integrations/am_client%,$(LIB_SRC))
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(DEPS_STAMP) $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@echo "LD [fuzz] $@"
	@clang $(WARN) -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB) \
		$(LIBS)
fuzz: $(FUZZ_BIN)
	@sh .ci/deps fuzz
	@for f in $(FUZZ_RUN); do \
		n=$$(basename $$f); c=$(FUZZ_DIR)/corpus-$$n; \
		a=$(FUZZ_DIR)/artifacts-$$n/; mkdir -p $$c $$a || exit 1; \
		case $$n in \
		fuzz_rbmeta) cp runbooks/*.lua tests/bench/runbooks/*.lua $$c/;; \
		*) for p in tests/fixtures/payloads/*.json; do \
			for k in 0 1 2 3 4; do { printf "\\$$(printf %o $$k)"; \
				cat $$p; } > $$c/$$k-$$(basename $$p); done; \
		done;; \
		esac; \
		s=; [ -d tests/fuzz/seeds/$$n ] && s=tests/fuzz/seeds/$$n; \
		echo "fuzz $$f for $(FUZZ_SECONDS) s (corpus $$c, findings $$a)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-artifact_prefix=$$a $$c $$s || exit 1; \
	done

FMT_SRC = $(LIB_SRC) $(TUI_SRC) $(UNIT_SRC) engine/worker/main/owl_worker.c $(wildcard tests/tools/*.c) \
          $(GW_SRC) tests/demo/gateway/gw.h \
          $(wildcard engine/*.h engine/worker/*.h integrations/*.h tui/*.h \
          tests/unit/*.h)
fmt:
	clang-format -i $(FMT_SRC)
# Fails when a file differs from .clang-format's layout (make fmt fixes it).
check-fmt:
	@clang-format --dry-run --Werror $(FMT_SRC) || \
		{ echo "owl: C files differ from .clang-format: run make fmt" >&2; \
		exit 1; }

clean:
	rm -rf build owl owl-worker

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) build/obj/engine/worker/main/owl_worker.d
