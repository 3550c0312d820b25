# aims -- the one build. User-facing targets: make, make run, make test, make bench, make clean,
# make install, make uninstall.
# make plots runs every shipped scenario and draws it (analysis/plot.py) into build/plots/.
#
# test and bench first call scripts/install-deps (installs missing Debian packages; silent
# when all are present), then re-enter make, so pkg-config is only asked once the packages it
# describes exist; run calls it only when a library is missing and apt-get is there. Plain
# `make` never installs anything: it finds HDF5, GSL and libconfig (scripts/find-lib) or says
# in one line which is missing and what to install or set. HDF5_CFLAGS, HDF5_LIBS, GSL_CFLAGS,
# GSL_LIBS, LIBCONFIG_CFLAGS and LIBCONFIG_LIBS given on the command line (or in the
# environment) replace what it would find (docs/cluster.md). Warnings are errors only under
# `make check`/`make test` (the CI) or with WERROR=-Werror; plain `make` prints them. Release objects live in build/, sanitizer (ASan + UBSan) objects used by the
# test suite in build/san/. Header dependencies come from -MMD -MP.
#
# Libraries follow DESIGN.md's direction: libsim.a (sim/: libc + GSL) <- libaims.a (models/:
# + libconfig; analysis/: + HDF5) <- runner/ (threads, MPI, shards, the journal) <- cli/. Each
# folder is compiled with only the include paths it may depend on, so a forbidden include fails
# to compile as well as failing check-layering.

# gcc unless the caller names a compiler (make CC=clang).
ifeq ($(origin CC),default)
CC      := gcc
endif
# Recursive, so that the libraries' include flags (LIB_CFLAGS, below) are looked up only when
# something is compiled.
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -DHAVE_INLINE $(LIB_CFLAGS)
WERROR  ?=
WARN     = -Wall -Wextra -Wpedantic $(WERROR) -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wold-style-definition -Wformat=2 -Wundef \
           -Wwrite-strings -Wcast-qual -Wvla -Wdouble-promotion
# Link-time optimisation with gcc (the default compiler): the engine's and the model's hot calls
# cross files (sim_now, sim_schedule, the market's helpers), and inlining them across files made
# the baseline at 10^6 enterprises 8-10% faster, with the same output bit for bit (no
# floating-point option changes; docs/engine.md, "Round 4"). Slim LTO objects need an archiver
# that knows them: the compiler's own gcc-ar (gcc-12 -> gcc-ar-12, /opt/x/gcc -> /opt/x/gcc-ar).
# LTO= (empty) turns it off; another compiler (clang, mpicc) gets none.
LTO     ?= $(if $(filter gcc gcc-%,$(notdir $(CC))),-flto=auto)
AR_LIB  := $(if $(strip $(LTO)),$(if $(findstring /,$(CC)),$(dir $(CC)))$(patsubst \
             gcc%,gcc-ar%,$(notdir $(CC))),ar)
OPT     ?= -O2 -g $(LTO)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CRIT_CFLAGS = $(shell pkg-config --cflags criterion)
CRIT_LIBS   = $(shell pkg-config --libs criterion)
# The libraries' flags: as given, else found once, when first used (the eval keeps the answer),
# by scripts/find-lib. It asks for the serial HDF5 by name first: Debian's bare `hdf5` follows
# the alternatives and turns into the MPI build when libhdf5-openmpi-dev is installed
# (recipes/toolchain.md).
FIND_LIB := ./scripts/find-lib
ifeq ($(origin HDF5_CFLAGS),undefined)
HDF5_CFLAGS = $(eval HDF5_CFLAGS := $$(shell $(FIND_LIB) hdf5 --cflags))$(HDF5_CFLAGS)
endif
ifeq ($(origin HDF5_LIBS),undefined)
HDF5_LIBS = $(eval HDF5_LIBS := $$(shell $(FIND_LIB) hdf5 --libs))$(HDF5_LIBS)
endif
ifeq ($(origin GSL_CFLAGS),undefined)
GSL_CFLAGS = $(eval GSL_CFLAGS := $$(shell $(FIND_LIB) gsl --cflags))$(GSL_CFLAGS)
endif
ifeq ($(origin GSL_LIBS),undefined)
GSL_LIBS = $(eval GSL_LIBS := $$(shell $(FIND_LIB) gsl --libs))$(GSL_LIBS)
endif
ifeq ($(origin LIBCONFIG_CFLAGS),undefined)
LIBCONFIG_CFLAGS = $(eval LIBCONFIG_CFLAGS := $$(shell $(FIND_LIB) libconfig --cflags))$(LIBCONFIG_CFLAGS)
endif
ifeq ($(origin LIBCONFIG_LIBS),undefined)
LIBCONFIG_LIBS = $(eval LIBCONFIG_LIBS := $$(shell $(FIND_LIB) libconfig --libs))$(LIBCONFIG_LIBS)
endif
CONFIG_LIBS = $(LIBCONFIG_LIBS)
# The high-level library (dimension scales) is not in HDF5's .pc: added unless given.
H5_CFLAGS   = $(HDF5_CFLAGS)
H5_LIBS     = $(if $(filter -lhdf5_hl,$(HDF5_LIBS)),,-lhdf5_hl) $(HDF5_LIBS)
AIMS_LIBS   = $(CONFIG_LIBS) $(H5_LIBS) $(GSL_LIBS)
# GSL's and libconfig's include flags (empty on Debian), for every compile that may see them.
LIB_CFLAGS  = $(GSL_CFLAGS) $(LIBCONFIG_CFLAGS)
LIBS_MISSING = $(if $(strip $(HDF5_LIBS)),,hdf5) $(if $(strip $(GSL_LIBS)),,gsl) \
               $(if $(strip $(LIBCONFIG_LIBS)),,libconfig)
# A goal that compiles stops here, in one line, when a library is missing; the goals that
# install first (deps, run, test, bench, plots, fuzz, valgrind) check in the make they start.
ifneq ($(filter-out clean deps run test bench plots fuzz valgrind check-layering,\
                    $(or $(MAKECMDGOALS),all)),)
ifneq ($(strip $(LIBS_MISSING)),)
$(error $(shell $(FIND_LIB) --why $(LIBS_MISSING)))
endif
endif

B       := build
S       := $(B)/san

SIM_SRC     := $(wildcard sim/*.c)
MODELS_SRC  := $(wildcard models/*.c)
ANALYSIS_SRC := $(wildcard analysis/*.c)
AIMS_SRC    := $(MODELS_SRC) $(ANALYSIS_SRC)
RUNNER_SRC  := $(wildcard runner/*.c)
CLI_SRC     := $(wildcard cli/*.c)
EXAMPLE_SRC := examples/mmc.c
TEST_SRC    := $(wildcard tests/test_*.c) tests/sanitizer_options.c

SIM_OBJ      := $(SIM_SRC:%.c=$(B)/%.o)
SIM_SAN_OBJ  := $(SIM_SRC:%.c=$(S)/%.o)
AIMS_OBJ     := $(AIMS_SRC:%.c=$(B)/%.o)
AIMS_SAN_OBJ := $(AIMS_SRC:%.c=$(S)/%.o)
# The command line links the runner's objects: no archive, as only aims and aims-mpi use them,
# and aims-mpi builds its own (-DAIMS_MPI).
CLI_OBJ      := $(CLI_SRC:%.c=$(B)/%.o) $(RUNNER_SRC:%.c=$(B)/%.o)
CLI_SAN_OBJ  := $(CLI_SRC:%.c=$(S)/%.o) $(RUNNER_SRC:%.c=$(S)/%.o)
MMC_OBJ      := $(B)/examples/mmc.o $(B)/examples/mmc_main.o
MMC_SAN_OBJ  := $(S)/examples/mmc.o $(S)/examples/mmc_main.o
TEST_OBJ     := $(TEST_SRC:%.c=$(S)/%.o)

PROGS := $(B)/libsim.a $(B)/libaims.a $(B)/aims $(B)/mmc $(B)/phold $(B)/heap_limit

# libFuzzer harnesses (fuzz/*.c, seeds in tests/fuzz/NAME/): `make fuzz` builds them with
# clang (-fsanitize=fuzzer,address,undefined) into $(B)/fuzz/ and runs each for FUZZ_TIME
# seconds (default 60), keeping what it finds in $(B)/fuzz/corpus/NAME/ and any crash in
# $(B)/fuzz/ (each harness's whole log in $(B)/fuzz/NAME.log); `make fuzz FUZZ_TIME=1800` is
# the half hour the hardening issue asks for, `make fuzz FUZZ_NAMES=sweep` runs one harness.
# scripts/run-fuzz runs them with the sanitizer options exported (LeakSanitizer reads the known
# library leaks from tests/fuzz/lsan.supp, or the first libconfig leak would stop a harness).
# fuzz_h5read runs in fork mode and goes on past crashes: HDF5 1.10.8 itself crashes on many
# damaged files (docs/hardening.md); each artifact is still written for triage.
FUZZ_TIME   ?= 60
FUZZ_NAMES  := scenario sweep set h5read
FUZZ_CFLAGS  = $(CSTD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB_SRC := $(SIM_SRC) $(AIMS_SRC)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(B)/fuzz/obj/%.o)
# Kept between runs: as intermediates of the harnesses make would delete them after each build.
.SECONDARY: $(FUZZ_LIB_OBJ)

# The MPI build of the command line (aims sweep under mpirun), where Open MPI's mpicc is
# installed: the same sources with -DAIMS_MPI. `aims` started by mpirun hands itself over to
# the aims-mpi beside it (cli/main.c), so users type the same command either way.
MPICC := $(shell command -v mpicc 2>/dev/null)
ifneq ($(MPICC),)
PROGS       += $(B)/aims-mpi
MPI_OBJ     := $(CLI_SRC:%.c=$(B)/mpi/%.o) $(RUNNER_SRC:%.c=$(B)/mpi/%.o)
MPI_SAN_OBJ := $(CLI_SRC:%.c=$(S)/mpi/%.o) $(RUNNER_SRC:%.c=$(S)/mpi/%.o)
SAN_MPI     := $(S)/aims-mpi
endif

.PHONY: all deps run test check check-layering check-clang bench clean FORCE
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

all: $(PROGS)

deps:
	@./scripts/install-deps

# The main job: the baseline scenario, its file and a few headline numbers. install-deps only
# when a library is missing on a Debian (apt-get); elsewhere the make below names it.
run:
	@if [ -n "$(strip $(LIBS_MISSING))" ] && command -v apt-get >/dev/null 2>&1; then \
	    ./scripts/install-deps; fi
	@$(MAKE) --no-print-directory all
	$(B)/aims run scenarios/baseline.cfg -o $(B)/baseline.h5 --force

test: deps
	@$(MAKE) --no-print-directory check

bench: deps
	@$(MAKE) --no-print-directory all
	@./bench/market-bench $(B)
	@echo
	@./bench/demand-bench $(B)
	@echo
	@./bench/agents-bench $(B)
	@./bench/scale-bench $(B)
	@echo
	@./bench/sweep-bench $(B)
	@echo
	@./bench/journal-bench $(B)
	@echo
	@./bench/run-bench $(B)
	@echo
	@./bench/calib-bench $(B)

# Parameter recovery of aims calibrate over RECOVERY_N synthetic data sets
# (scripts/calib-recovery): prints the coverage of the 95% posterior
# intervals against the binomial range; too slow for make test.
RECOVERY_N ?= 20
.PHONY: recovery
recovery: deps
	@$(MAKE) --no-print-directory all
	@./scripts/calib-recovery $(B) $(RECOVERY_N)

# Every shipped scenario (sweep files aside) run into $(B)/plots/NAME.h5 and drawn into
# $(B)/plots/NAME/; each shock scenario also against the baseline, paired by replication, into
# $(B)/plots/NAME_vs_baseline/ (not the history, which starts in 2023). What the pictures show:
# docs/plots.md.
PLOT_SCEN := $(filter-out scenarios/sweep% scenarios/calibrate%,$(wildcard scenarios/*.cfg))
.PHONY: plots
plots: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(B)/plots
	@set -e; for f in $(PLOT_SCEN); do n=$$(basename $$f .cfg); \
	    echo "plots: $$n: $(B)/plots/$$n.h5, $(B)/plots/$$n/"; \
	    $(B)/aims run $$f -o $(B)/plots/$$n.h5 --force --quiet; \
	    analysis/plot.py $(B)/plots/$$n.h5 -o $(B)/plots/$$n; \
	done; \
	for f in $(PLOT_SCEN); do n=$$(basename $$f .cfg); \
	    case "$$n" in baseline|history_*) continue ;; esac; \
	    if [ "$$n" != baseline ]; then \
	        echo "plots: $$n - baseline: $(B)/plots/$${n}_vs_baseline/"; \
	        analysis/plot.py $(B)/plots/baseline.h5 $(B)/plots/$$n.h5 \
	            -o $(B)/plots/$${n}_vs_baseline; \
	    fi; \
	done

# `make install PREFIX=DIR` (default /usr/local; DESTDIR for staging): aims, aims-mpi if
# built, plot.py (bin/aims-plot) and the Python modules, the shipped scenarios, the man page
# and bash completion; `make uninstall PREFIX=DIR` removes exactly what it put, from the
# manifest it wrote (scripts/install says where each file goes).
PREFIX  ?= /usr/local
DESTDIR ?=
.PHONY: install uninstall
install: $(B)/aims
	@./scripts/install $(B) $(DESTDIR)$(PREFIX)

uninstall:
	@./scripts/install --uninstall $(DESTDIR)$(PREFIX)

# The CI's gate: every compile it makes, and check-clang's of every source, fails on a warning.
check: WERROR = -Werror
check: check-layering check-clang $(S)/aims-tests $(S)/mmc $(S)/aims $(SAN_MPI) $(B)/aims
	@./scripts/run-tests timeout 900 $(S)/aims-tests --jobs 2

# DESIGN.md's direction: sim/ sees only itself, models/ sees sim/, analysis/ sees both, runner/
# sees all three; nothing but cli/ sees runner/.
check-layering:
	@./scripts/check-layering

# gcc builds everything; clang must also compile every source without a warning (runner/
# without cli/ on its include path).
check-clang: $(B)/gen/version.h
	@if command -v clang >/dev/null; then \
	    for f in $(SIM_SRC) $(AIMS_SRC) $(CLI_SRC) examples/*.c bench/*.c; do \
	        clang $(CSTD) $(WARN) $(H5_CFLAGS) -Isim -Imodels -Ianalysis -Irunner -Iexamples \
	            -Icli -I$(B)/gen -fsyntax-only $$f || exit 1; \
	    done; \
	    for f in $(RUNNER_SRC); do \
	        clang $(CSTD) $(WARN) $(H5_CFLAGS) -Isim -Imodels -Ianalysis -Irunner \
	            -fsyntax-only $$f || exit 1; \
	    done; \
	    for f in $(TEST_SRC); do \
	        clang $(CSTD) $(WARN) $(CRIT_CFLAGS) $(H5_CFLAGS) -Isim -Imodels -Ianalysis \
	            -Iexamples -fsyntax-only $$f || exit 1; \
	    done; \
	else echo "check-clang: clang not found (scripts/install-deps installs it)" >&2; exit 1; fi

# Rebuilt from scratch: `ar r` would keep members of deleted or renamed sources.
$(B)/libsim.a: $(SIM_OBJ)
	rm -f $@ && $(AR_LIB) rcs $@ $^

$(S)/libsim.a: $(SIM_SAN_OBJ)
	rm -f $@ && $(AR_LIB) rcs $@ $^

$(B)/libaims.a: $(AIMS_OBJ)
	rm -f $@ && $(AR_LIB) rcs $@ $^

$(S)/libaims.a: $(AIMS_SAN_OBJ)
	rm -f $@ && $(AR_LIB) rcs $@ $^

# The build's commit, for the files' provenance. Rewritten only when it changes, so a
# make with nothing new rebuilds nothing.
$(B)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 if [ "$$c" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then c="$$c-dirty"; fi; \
	 line="#define AIMS_GIT_COMMIT \"$$c\""; \
	 if [ ! -f $@ ] || [ "$$(cat $@)" != "$$line" ]; then echo "$$line" > $@; fi

$(B)/cli/main.o $(S)/cli/main.o: $(B)/gen/version.h

$(B)/aims: $(CLI_OBJ) $(B)/libaims.a $(B)/libsim.a
	$(CC) $(OPT) -pthread -o $@ $^ $(AIMS_LIBS) -lm

$(S)/aims: $(CLI_SAN_OBJ) $(S)/libaims.a $(S)/libsim.a
	$(CC) $(SAN) -g -pthread -o $@ $^ $(AIMS_LIBS) -lm

ifneq ($(MPICC),)
$(B)/mpi/cli/main.o $(S)/mpi/cli/main.o: $(B)/gen/version.h

$(B)/aims-mpi: $(MPI_OBJ) $(B)/libaims.a $(B)/libsim.a
	OMPI_CC=$(CC) mpicc $(OPT) -pthread -o $@ $^ $(AIMS_LIBS) -lm

$(S)/aims-mpi: $(MPI_SAN_OBJ) $(S)/libaims.a $(S)/libsim.a
	OMPI_CC=$(CC) mpicc $(SAN) -g -pthread -o $@ $^ $(AIMS_LIBS) -lm

$(B)/mpi/runner/%.o: runner/%.c Makefile
	@mkdir -p $(@D)
	OMPI_CC=$(CC) mpicc -DAIMS_MPI $(CSTD) $(WARN) $(OPT) -pthread $(H5_CFLAGS) -Isim \
	    -Imodels -Ianalysis -Irunner -MMD -MP -c $< -o $@

$(S)/mpi/runner/%.o: runner/%.c Makefile
	@mkdir -p $(@D)
	OMPI_CC=$(CC) mpicc -DAIMS_MPI $(CSTD) $(WARN) -g -O1 $(SAN) -pthread $(H5_CFLAGS) \
	    -Isim -Imodels -Ianalysis -Irunner -MMD -MP -c $< -o $@

$(B)/mpi/cli/%.o: cli/%.c Makefile
	@mkdir -p $(@D)
	OMPI_CC=$(CC) mpicc -DAIMS_MPI $(CSTD) $(WARN) $(OPT) -pthread $(H5_CFLAGS) -Isim \
	    -Imodels -Ianalysis -Irunner -Icli -I$(B)/gen -MMD -MP -c $< -o $@

$(S)/mpi/cli/%.o: cli/%.c Makefile
	@mkdir -p $(@D)
	OMPI_CC=$(CC) mpicc -DAIMS_MPI $(CSTD) $(WARN) -g -O1 $(SAN) -pthread $(H5_CFLAGS) \
	    -Isim -Imodels -Ianalysis -Irunner -Icli -I$(B)/gen -MMD -MP -c $< -o $@
endif

$(B)/mmc: $(MMC_OBJ) $(B)/libsim.a
	$(CC) $(OPT) -o $@ $^ $(GSL_LIBS)

$(S)/mmc: $(MMC_SAN_OBJ) $(S)/libsim.a
	$(CC) $(SAN) -g -o $@ $^ $(GSL_LIBS)

$(B)/phold: $(B)/bench/phold.o $(B)/libsim.a
	$(CC) $(OPT) -o $@ $^ $(GSL_LIBS)

$(B)/heap_limit: $(B)/bench/heap_limit.o $(B)/libsim.a
	$(CC) $(OPT) -o $@ $^ $(GSL_LIBS)

$(S)/aims-tests: $(TEST_OBJ) $(S)/examples/mmc.o $(S)/libaims.a $(S)/libsim.a
	$(CC) $(SAN) -g -o $@ $^ $(CRIT_LIBS) $(AIMS_LIBS)

.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)
	@./scripts/run-fuzz $(B) $(FUZZ_TIME) $(FUZZ_NAMES)

$(B)/fuzz/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(H5_CFLAGS) -Isim -Imodels -Ianalysis -c $< -o $@

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_input.h $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	clang $(CSTD) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -DFUZZ_SCRATCH='"$(B)/fuzz/scratch"' -DAIMS_SOURCE_DIR='"$(CURDIR)"' $(H5_CFLAGS) \
	    -Isim -Imodels -Ianalysis $< $(FUZZ_LIB_OBJ) -o $@ $(AIMS_LIBS) -lm

# sim/ sees only its own headers; examples, bench and tests see sim/ (and examples/).
$(B)/sim/%.o: sim/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -Isim -MMD -MP -c $< -o $@

$(S)/sim/%.o: sim/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -Isim -MMD -MP -c $< -o $@

# models/ sees sim/; analysis/ sees sim/, models/ and HDF5.
$(B)/models/%.o: models/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -Isim -Imodels -MMD -MP -c $< -o $@

$(S)/models/%.o: models/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -Isim -Imodels -MMD -MP -c $< -o $@

$(B)/analysis/%.o: analysis/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(H5_CFLAGS) -Isim -Imodels -Ianalysis -MMD -MP -c $< -o $@

$(S)/analysis/%.o: analysis/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(H5_CFLAGS) -Isim -Imodels -Ianalysis -MMD -MP \
	    -c $< -o $@

# runner/ sees sim/, models/, analysis/ (and HDF5 through analysis/'s headers), never cli/.
$(B)/runner/%.o: runner/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -pthread $(H5_CFLAGS) -Isim -Imodels -Ianalysis -Irunner \
	    -MMD -MP -c $< -o $@

$(S)/runner/%.o: runner/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -pthread $(H5_CFLAGS) -Isim -Imodels -Ianalysis \
	    -Irunner -MMD -MP -c $< -o $@

# cli/ sees everything: it is main().
$(B)/cli/%.o: cli/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -pthread $(H5_CFLAGS) -Isim -Imodels -Ianalysis -Irunner \
	    -Icli -I$(B)/gen -MMD -MP -c $< -o $@

$(S)/cli/%.o: cli/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -pthread $(H5_CFLAGS) -Isim -Imodels -Ianalysis \
	    -Irunner -Icli -I$(B)/gen -MMD -MP -c $< -o $@

$(B)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -Isim -Iexamples -MMD -MP -c $< -o $@

$(S)/tests/%.o: tests/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(CRIT_CFLAGS) $(H5_CFLAGS) -Isim -Imodels -Ianalysis \
	    -Iexamples -DAIMS_BUILD_DIR='"$(CURDIR)/$(S)"' -DAIMS_SOURCE_DIR='"$(CURDIR)"' \
	    -DAIMS_RELEASE_DIR='"$(CURDIR)/$(B)"' -MMD -MP -c $< -o $@

$(S)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -Isim -Iexamples -MMD -MP -c $< -o $@

# `make valgrind`: memcheck on small runs of every command and on the unit suites, with the
# known library suppressions in one file (tests/valgrind.supp). Plain (unsanitized) objects.
VG_TEST_OBJ := $(TEST_SRC:%.c=$(B)/vg/%.o)

.PHONY: valgrind
valgrind: deps
	@$(MAKE) --no-print-directory all $(B)/vg/aims-tests
	@./scripts/valgrind-check $(B)

$(B)/vg/aims-tests: $(VG_TEST_OBJ) $(B)/examples/mmc.o $(B)/libaims.a $(B)/libsim.a
	$(CC) -g $(LTO) -o $@ $^ $(CRIT_LIBS) $(AIMS_LIBS)

$(B)/vg/tests/%.o: tests/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 $(CRIT_CFLAGS) $(H5_CFLAGS) -Isim -Imodels -Ianalysis \
	    -Iexamples -DAIMS_BUILD_DIR='"$(CURDIR)/$(B)"' -DAIMS_SOURCE_DIR='"$(CURDIR)"' -MMD -MP \
	    -c $< -o $@

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
