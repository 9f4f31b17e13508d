# iscsiroot top-level build.
#   make              build iscsistart/iscsistart
#   make check        unit tests (CMocka) and QEMU boot tests
#   make unit         unit tests only
#   make integration  login tests against tgtd on 127.0.0.1
#   make boot-tests   QEMU boot tests only
#   make install DESTDIR= PREFIX=/usr
#   make deps         install the Debian packages the build and tests need
#   make demo         boot a QEMU VM from an iSCSI root with our iscsistart

CXX      ?= g++
PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -MMD -MP
LDLIBS_ISR := -lkmod -lcrypto
BUILD    := build

LIB_SRC  := $(filter-out iscsistart/main.cpp,$(shell find iscsistart -name '*.cpp' | sort))
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.cpp))
TEST_BIN := $(TEST_SRC:tests/unit/%.cpp=$(BUILD)/tests/%)

all: iscsistart/iscsistart

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/libisr.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

iscsistart/iscsistart: $(BUILD)/iscsistart/main.o $(BUILD)/libisr.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libisr.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR) -lcmocka

$(BUILD)/tests/login_probe: $(BUILD)/tests/tools/login_probe.o $(BUILD)/libisr.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR)

unit: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do $$t || fail=1; done; exit $$fail

integration: $(BUILD)/tests/login_probe iscsistart/iscsistart
	tests/integration/loopback-login.sh $(CURDIR)/$(BUILD)/tests/login_probe $(CURDIR)/iscsistart/iscsistart

boot-tests: iscsistart/iscsistart
	qemu-tests/run-all.sh --binary $(CURDIR)/iscsistart/iscsistart

check: unit integration boot-tests

deps:
	.ci/install-deps.sh

demo: iscsistart/iscsistart
	@qemu-tests/run-boot.sh --binary $(CURDIR)/iscsistart/iscsistart --name demo --timeout 120; \
	rc=$$?; grep -aE '^(isr-init: running|iscsistart:|ISR-|/dev/sd)' qemu-tests/work/demo.log; exit $$rc

install: iscsistart/iscsistart
	install -D -m 0755 iscsistart/iscsistart $(DESTDIR)$(SBINDIR)/iscsistart
	install -D -m 0644 docs/iscsistart.8 $(DESTDIR)$(MANDIR)/man8/iscsistart.8

clean:
	rm -rf $(BUILD) iscsistart/iscsistart

.PHONY: all unit integration boot-tests check deps demo install clean
.SECONDARY:
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
