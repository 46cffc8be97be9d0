# posthorn - top-level build. util <- global <- programs, with the libraries
# tls (OpenSSL), dns (c-ares) and dkim (OpenSSL's libcrypto) beside global;
# see docs/design.md and scripts/layering.sh, which `make layering` runs.
#   make            build everything into build/
#   make check      install dependencies, build, check the layering, run unit and integration tests
#   make layering   check which folder includes which (scripts/layering.sh)
#   make run        install dependencies, build, create ./run/instance, start it in the foreground
#   make asan       build with AddressSanitizer+UBSan into build-asan/ and run the tests
#   make fuzz       build libFuzzer targets (clang) into build-fuzz/
#   make bench      side-by-side benchmark against Debian's Postfix
#   make install PREFIX=/usr/local [BINDIR=...] [DAEMON_DIR=...] [DESTDIR=...]
#   make deb        build the Debian package (debian/) into $(BUILD)/ (scripts/deb.sh)
#   make deb-check  make deb, lintian, install it into a throw-away Debian 12 root and
#                   send a message through it (tests/deb/deb_check.sh)

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
# Where make install puts the command and the daemons. DAEMON_DIR is also
# compiled in as daemon_directory's default, so an installed posthorn finds
# its daemons without a main.cf line (the Debian package: /usr/lib/posthorn).
BINDIR     ?= $(PREFIX)/bin
DAEMON_DIR ?= $(PREFIX)/libexec/posthorn
OPT      ?= -O2 -g
SANITIZE ?=
WARN     = -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wshadow -fno-common
CPPFLAGS += -D_GNU_SOURCE -Isrc/util -Isrc/global
# The release, as mail_version and posthorn --version say it (file VERSION).
POSTHORN_VERSION := $(shell cat VERSION)
CFLAGS   += $(OPT) $(WARN) $(SANITIZE) -MMD -MP
LDFLAGS  += $(SANITIZE)

# Libraries beside global: src/<lib>/*.c is archived as
# $(BUILD)/lib/lib<lib>.a, and <lib>_LDLIBS are the system libraries its code
# needs. tls holds the OpenSSL TLS code, dns all the c-ares code, dkim the
# DKIM keys, hashes and signatures (libcrypto only, no TLS). A program
# links such a library, and its system libraries, only when its <prog>_LIBS
# names it; only then does it get -Isrc/<lib>. scripts/layering.sh and
# tests/fuzz/build.sh read LIBDIRS and the <name>_LIBS and <name>_LDLIBS lines
# below, so write each on one line, with "=" (layering.sh checks, for
# example, that no program includes an OpenSSL header unless it links tls
# or dkim).
LIBDIRS     = tls dns dkim
tls_LDLIBS  = -lssl -lcrypto
dns_LDLIBS  = -lcares
dkim_LDLIBS = -lcrypto
smtp_LIBS   = tls dns
smtp_LDLIBS = -lsasl2
posthorn_LIBS = dkim dns
cleanup_LIBS = dkim

# Every src/<prog>/<prog>.c outside util, global and LIBDIRS (src/dns/dns.c
# is a library module) is a daemon installed in libexec (posthorn, the admin
# command, goes to bin).
PROGRAMS = $(filter-out posthorn util global $(LIBDIRS),$(foreach d,$(wildcard src/*/),$(if $(wildcard $(d)$(notdir $(d:/=)).c),$(notdir $(d:/=)))))

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

.PHONY: all check layering unit integration run asan fuzz bench install clean deps manpages \
	deb deb-check FORCE
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

define library
$(BUILD)/lib/lib$(1).a: $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIBDIRS),$(eval $(call library,$(l))))

$(BUILD)/obj/src/global/cfg_params.o: CPPFLAGS += -DPOSTHORN_VERSION='"$(POSTHORN_VERSION)"'
$(BUILD)/obj/src/global/cfg_params.o: VERSION
# daemon_directory's default. The stamp file changes only when DAEMON_DIR
# does, so `make DAEMON_DIR=...` after a plain build recompiles cfg_params.o.
$(BUILD)/obj/src/global/cfg_params.o: CPPFLAGS += -DDEF_DAEMON_DIR='"$(DAEMON_DIR)"'
$(BUILD)/obj/src/global/cfg_params.o: $(BUILD)/gen/daemon_dir
$(BUILD)/gen/daemon_dir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DAEMON_DIR)' | cmp -s - $@ || echo '$(DAEMON_DIR)' > $@

# posthorn init writes the default master.cf, smtp_reply_throttle and
# smtp_mx_group, so the binary carries them.
posthorn_EXTRA = $(BUILD)/obj/gen/conf_text.o
$(BUILD)/gen/conf_text.c: conf/master.cf conf/smtp_reply_throttle conf/smtp_mx_group \
	    scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $@ posthorn_master_cf=conf/master.cf \
	    posthorn_reply_throttle=conf/smtp_reply_throttle posthorn_mx_group=conf/smtp_mx_group
$(BUILD)/obj/gen/conf_text.o: $(BUILD)/gen/conf_text.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# A program is <prog>.c (main and the service loop) plus an archive of its
# topic files, so unit tests can link the topics without main(); then the
# libraries its <prog>_LIBS names, global and util.
define program
$(1)_MAIN  = $(BUILD)/obj/src/$(1)/$(1).o
$(1)_TOPIC = $$(filter-out $$($(1)_MAIN),$$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c)))
$(1)_LIBA  = $$(foreach l,$$($(1)_LIBS),$(BUILD)/lib/lib$$(l).a)
$(BUILD)/obj/src/$(1)/%.o: CPPFLAGS += $$(foreach l,$$($(1)_LIBS),-Isrc/$$(l))
$(BUILD)/lib/lib$(1).a: $$($(1)_TOPIC)
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(2): $$($(1)_MAIN) $$($(1)_EXTRA) $(BUILD)/lib/lib$(1).a $$($(1)_LIBA) $$(LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_MAIN) $$($(1)_EXTRA) $(BUILD)/lib/lib$(1).a $$($(1)_LIBA) $$(LIBS) \
	    $$($(1)_LDLIBS) $$(foreach l,$$($(1)_LIBS),$$($$(l)_LDLIBS)) $$(UTIL_LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p),$(BUILD)/libexec/$(p))))
$(eval $(call program,posthorn,$(BIN)))
PROG_LIBS  = $(foreach p,$(PROGRAMS) posthorn,$(BUILD)/lib/lib$(p).a)
LIBDIR_LIBS = $(foreach l,$(LIBDIRS),$(BUILD)/lib/lib$(l).a)
ALL_LDLIBS = $(foreach d,$(PROGRAMS) posthorn $(LIBDIRS),$($(d)_LDLIBS))

# Unit tests link every program's topic archive and every library (tls, dns
# included); only what a test uses is pulled in.
$(BUILD)/tests/check_%: tests/unit/check_%.c $(PROG_LIBS) $(LIBDIR_LIBS) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(foreach l,$(LIBDIRS),-Isrc/$(l)) $(CFLAGS) $(CHECK_CFLAGS) -o $@ $< \
	    $(PROG_LIBS) $(LIBDIR_LIBS) $(LIBS) $(CHECK_LIBS) $(ALL_LDLIBS) $(UTIL_LDLIBS)

unit: all $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

integration: all
	@BUILD=$(BUILD) sh tests/integration/run-all.sh

# Which folder may include which, and which may use OpenSSL and c-ares.
layering:
	@sh scripts/layering.sh

check: deps
	$(MAKE) all
	$(MAKE) layering
	$(MAKE) unit
	$(MAKE) integration

run: deps all
	@sh scripts/run.sh $(BUILD)

asan: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" layering unit integration

fuzz:
	@sh tests/fuzz/build.sh

bench: deps all
	@sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DAEMON_DIR) \
	    $(DESTDIR)$(PREFIX)/share/posthorn/conf $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/posthorn
	install -m 755 $(LIBEXEC) $(DESTDIR)$(DAEMON_DIR)/
	install -m 644 conf/main.cf conf/master.cf conf/smtp_reply_throttle conf/smtp_mx_group \
	    $(DESTDIR)$(PREFIX)/share/posthorn/conf/
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/man5/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/man8/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/

# The Debian package, built by dpkg-buildpackage in a copy of the tree under
# $(BUILD)/deb/ (so debian/rules never cleans or writes this work tree);
# the .deb files end up in $(BUILD)/.
deb: deps
	@sh scripts/deb.sh $(BUILD)

# Each step of deb-check has its own limit; this bounds the whole (the
# first run includes debootstrap).
DEB_CHECK_TIMEOUT ?= 1800
deb-check: deb
	@timeout -k 30 $(DEB_CHECK_TIMEOUT) sh tests/deb/deb_check.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)
