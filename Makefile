# posthorn - top-level build. util -> global -> programs; see docs/design.md.
#   make            build everything into build/
#   make check      install dependencies, build, run unit and integration tests
#   make run        install dependencies, build, create ./run/instance, start it in the foreground
#   make asan       build with AddressSanitizer+UBSan into build-asan/ and run the tests
#   make fuzz       build libFuzzer targets (clang) into build-fuzz/
#   make bench      side-by-side benchmark against Debian's Postfix
#   make install PREFIX=/usr/local

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2 -g
SANITIZE ?=
WARN     = -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wshadow -fno-common
CPPFLAGS += -D_GNU_SOURCE -Isrc/util -Isrc/global
CFLAGS   += $(OPT) $(WARN) $(SANITIZE) -MMD -MP
LDFLAGS  += $(SANITIZE)

# Every src/<prog>/<prog>.c is a daemon installed in libexec (posthorn, the
# admin command, goes to bin).
PROGRAMS = $(filter-out posthorn,$(foreach d,$(wildcard src/*/),$(if $(wildcard $(d)$(notdir $(d:/=)).c),$(notdir $(d:/=)))))
smtp_LDLIBS = -lcares -lsasl2 -lssl -lcrypto
# util's lookup tables (hash:, btree:) use Berkeley DB; every program links util.
UTIL_LDLIBS = -ldb
LIBEXEC  = $(addprefix $(BUILD)/libexec/,$(PROGRAMS))
BIN      = $(BUILD)/bin/posthorn

UTIL_SRC   = $(wildcard src/util/*.c)
GLOBAL_SRC = $(wildcard src/global/*.c)
UTIL_OBJ   = $(UTIL_SRC:%.c=$(BUILD)/obj/%.o)
GLOBAL_OBJ = $(GLOBAL_SRC:%.c=$(BUILD)/obj/%.o)
LIBUTIL    = $(BUILD)/lib/libutil.a
LIBGLOBAL  = $(BUILD)/lib/libglobal.a
LIBS       = $(LIBGLOBAL) $(LIBUTIL)

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
UNIT_SRC   = $(wildcard tests/unit/check_*.c)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check unit integration run asan fuzz bench install clean deps manpages
all: $(LIBEXEC) $(BIN)

deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBUTIL): $(UTIL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBGLOBAL): $(GLOBAL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# posthorn init writes the default master.cf, so the binary carries it.
posthorn_EXTRA = $(BUILD)/obj/gen/conf_text.o
$(BUILD)/gen/conf_text.c: conf/master.cf scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $@ posthorn_master_cf=conf/master.cf
$(BUILD)/obj/gen/conf_text.o: $(BUILD)/gen/conf_text.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# A program is <prog>.c (main and the service loop) plus an archive of its
# topic files, so unit tests can link the topics without main().
define program
$(1)_MAIN  = $(BUILD)/obj/src/$(1)/$(1).o
$(1)_TOPIC = $$(filter-out $$($(1)_MAIN),$$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c)))
$(BUILD)/lib/lib$(1).a: $$($(1)_TOPIC)
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(2): $$($(1)_MAIN) $$($(1)_EXTRA) $(BUILD)/lib/lib$(1).a $$(LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_MAIN) $$($(1)_EXTRA) $(BUILD)/lib/lib$(1).a $$(LIBS) $$($(1)_LDLIBS) $$(UTIL_LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p),$(BUILD)/libexec/$(p))))
$(eval $(call program,posthorn,$(BIN)))
PROG_LIBS = $(foreach p,$(PROGRAMS) posthorn,$(BUILD)/lib/lib$(p).a)
ALL_LDLIBS = $(foreach p,$(PROGRAMS) posthorn,$($(p)_LDLIBS))

# Unit tests link every program's topic archive; only what a test uses is pulled in.
$(BUILD)/tests/check_%: tests/unit/check_%.c $(PROG_LIBS) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(CHECK_CFLAGS) -o $@ $< \
	    $(PROG_LIBS) $(LIBS) $(CHECK_LIBS) $(ALL_LDLIBS) $(UTIL_LDLIBS)

unit: all $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

integration: all
	@BUILD=$(BUILD) sh tests/integration/run-all.sh

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

run: deps all
	@sh scripts/run.sh $(BUILD)

asan: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" unit integration

fuzz:
	@sh tests/fuzz/build.sh

bench: deps all
	@sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/posthorn \
	    $(DESTDIR)$(PREFIX)/share/posthorn/conf $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/posthorn
	install -m 755 $(LIBEXEC) $(DESTDIR)$(PREFIX)/libexec/posthorn/
	install -m 644 conf/main.cf conf/master.cf $(DESTDIR)$(PREFIX)/share/posthorn/conf/
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/man5/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/man8/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)
