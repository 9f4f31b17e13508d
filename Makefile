# iscsiroot top-level build.
#   make              build iscsistart/iscsistart
#   make check        unit tests (CMocka) and QEMU boot tests
#   make unit         unit tests only
#   make integration  login tests against tgtd on 127.0.0.1
#   make boot-tests   QEMU boot tests only
#   make install DESTDIR= PREFIX=/usr
#   make deps         install the Debian packages the build and tests need
#   make demo         boot a QEMU VM from an iSCSI root with our iscsistart
#   make fuzz         run the libFuzzer targets (FUZZ_SECONDS each, default 60)
#   make ipxe-images  USB and CD images of iPXE + IPXE_SCRIPT with IPXE_SET
#                     settings, in build/ipxe/ (see ipxe-scripts/README.md)

CXX      ?= g++
PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/iscsiroot
DATADIR  ?= $(PREFIX)/share/iscsiroot
# dracut and mkinitcpio look only here, whatever PREFIX is
DRACUTMODDIR ?= /usr/lib/dracut/modules.d
INITCPIODIR  ?= /usr/lib/initcpio
# -Os and section GC: the binary goes into every initramfs, and its time is
# spent waiting on the network and the kernel, not computing (about half
# the size of -O2).
CXXFLAGS ?= -Os -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -MMD -MP -ffunction-sections -fdata-sections
LDFLAGS  += -Wl,--gc-sections
LDLIBS_ISR := -lkmod -lcrypto
BUILD    := build

LIB_SRC  := $(filter-out iscsistart/main.cpp,$(shell find iscsistart ibft -name '*.cpp' | sort))
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

$(BUILD)/tests/netconfig_tool: $(BUILD)/tests/tools/netconfig_tool.o $(BUILD)/libisr.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR)

$(BUILD)/tests/ibft_tool: $(BUILD)/tests/tools/ibft_tool.o $(BUILD)/libisr.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR)

$(BUILD)/tests/dhcp_tool: $(BUILD)/tests/tools/dhcp_tool.o $(BUILD)/libisr.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ISR)

# stand-alone (no libisr): 802.1Q tagging between QEMU's UDP socket and a TAP
$(BUILD)/tests/vlan_tagger: $(BUILD)/tests/tools/vlan_tagger.o
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^

# libFuzzer targets (clang, ASan, UBSan). FUZZ_SECONDS per target; new
# inputs go to build/fuzz-corpus, the seeds in fuzz/corpus stay small.
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
FUZZ_FLAGS := -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_IBFT_SRC := fuzz/ibft_fuzz.cpp ibft/parse.cpp iscsistart/util/secret.cpp
FUZZ_DHCP_SRC := fuzz/dhcp_fuzz.cpp iscsistart/dhcp/dhcp_packet.cpp iscsistart/dhcp/lease_file.cpp \
	iscsistart/net/nic_config.cpp iscsistart/util/secret.cpp
FUZZ_CMDLINE_SRC := fuzz/cmdline_fuzz.cpp iscsistart/cmdline/cmdline.cpp iscsistart/cmdline/net_plan.cpp \
	iscsistart/cmdline/sources.cpp \
	iscsistart/login/negotiate.cpp iscsistart/net/nic_config.cpp iscsistart/util/secret.cpp

$(BUILD)/fuzz/ibft_fuzz: $(FUZZ_IBFT_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ $(FUZZ_IBFT_SRC) -lcrypto

$(BUILD)/fuzz/dhcp_fuzz: $(FUZZ_DHCP_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ $(FUZZ_DHCP_SRC) -lcrypto

$(BUILD)/fuzz/cmdline_fuzz: $(FUZZ_CMDLINE_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ $(FUZZ_CMDLINE_SRC) -lcrypto

fuzz: $(BUILD)/fuzz/ibft_fuzz $(BUILD)/fuzz/dhcp_fuzz $(BUILD)/fuzz/cmdline_fuzz
	@mkdir -p $(BUILD)/fuzz-corpus/ibft $(BUILD)/fuzz-corpus/dhcp $(BUILD)/fuzz-corpus/cmdline
	$(BUILD)/fuzz/ibft_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=5 \
		$(BUILD)/fuzz-corpus/ibft fuzz/corpus/ibft
	$(BUILD)/fuzz/dhcp_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=1500 -timeout=5 \
		$(BUILD)/fuzz-corpus/dhcp fuzz/corpus/dhcp
	$(BUILD)/fuzz/cmdline_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=5 \
		$(BUILD)/fuzz-corpus/cmdline fuzz/corpus/cmdline

unit: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do $$t || fail=1; done; exit $$fail

integration: $(BUILD)/tests/login_probe $(BUILD)/tests/ibft_tool $(BUILD)/tests/netconfig_tool \
		$(BUILD)/tests/dhcp_tool iscsistart/iscsistart
	tests/integration/loopback-login.sh $(CURDIR)/$(BUILD)/tests/login_probe $(CURDIR)/iscsistart/iscsistart
	tests/integration/ibft-print.sh $(CURDIR)/iscsistart/iscsistart $(CURDIR)/$(BUILD)/tests/ibft_tool
	tests/integration/netconfig-netns.sh $(CURDIR)/$(BUILD)/tests/netconfig_tool
	tests/integration/dhcp-netns.sh $(CURDIR)/$(BUILD)/tests/dhcp_tool
	tests/integration/install-tree.sh

boot-tests: iscsistart/iscsistart $(BUILD)/tests/vlan_tagger
	qemu-tests/run-all.sh --binary $(CURDIR)/iscsistart/iscsistart \
		--vlan-tagger $(CURDIR)/$(BUILD)/tests/vlan_tagger

check: unit integration boot-tests

deps:
	.ci/install-deps.sh

demo: iscsistart/iscsistart
	@qemu-tests/run-boot.sh --binary $(CURDIR)/iscsistart/iscsistart --name demo --timeout 120; \
	rc=$$?; grep -aE '^(isr-init: running|iscsistart:|ISR-|/dev/sd)' qemu-tests/work/demo.log; exit $$rc

# The initcpio hooks name the binary's path (ISCSIROOT_ISCSISTART's
# default), so it follows SBINDIR; dracut's module searches for it.
install: iscsistart/iscsistart
	install -D -m 0755 iscsistart/iscsistart $(DESTDIR)$(SBINDIR)/iscsistart
	install -D -m 0644 docs/iscsistart.8 $(DESTDIR)$(MANDIR)/man8/iscsistart.8
	install -D -m 0644 docs/iscsiroot.7 $(DESTDIR)$(MANDIR)/man7/iscsiroot.7
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md docs/cmdline.md docs/dracut.md docs/mkinitcpio.md docs/real-root.md $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(DRACUTMODDIR)/90iscsiroot
	install -m 0755 dracut/90iscsiroot/*.sh $(DESTDIR)$(DRACUTMODDIR)/90iscsiroot/
	install -d $(DESTDIR)$(DATADIR)/ipxe-scripts
	install -m 0644 ipxe-scripts/*.ipxe ipxe-scripts/README.md $(DESTDIR)$(DATADIR)/ipxe-scripts/
	install -m 0755 ipxe-scripts/*.sh $(DESTDIR)$(DATADIR)/ipxe-scripts/
	install -d $(DESTDIR)$(INITCPIODIR)/install $(DESTDIR)$(INITCPIODIR)/hooks
	for f in install/iscsiroot install/sd-iscsiroot hooks/iscsiroot; do \
	    sed 's|/usr/sbin/iscsistart|$(SBINDIR)/iscsistart|g' initcpio/$$f > $(DESTDIR)$(INITCPIODIR)/$$f.tmp && \
	    chmod 0644 $(DESTDIR)$(INITCPIODIR)/$$f.tmp && \
	    mv $(DESTDIR)$(INITCPIODIR)/$$f.tmp $(DESTDIR)$(INITCPIODIR)/$$f || exit 1; \
	done

# e.g. make ipxe-images IPXE_SCRIPT=ipxe-scripts/sanboot.ipxe \
#        IPXE_SET="root-path=iscsi:10.0.0.1::::iqn.2026-11.org.example:root"
IPXE_SCRIPT ?= ipxe-scripts/sanboot-dhcp.ipxe
IPXE_SET    ?=
IPXE_OUT    := $(BUILD)/ipxe/$(basename $(notdir $(IPXE_SCRIPT)))
ipxe-images:
	ipxe-scripts/mkimage.sh --script $(IPXE_SCRIPT) $(foreach s,$(IPXE_SET),--set '$(s)') \
		--usb $(IPXE_OUT).usb.img --iso $(IPXE_OUT).iso

clean:
	rm -rf $(BUILD) iscsistart/iscsistart

.PHONY: all unit integration boot-tests check deps demo fuzz install ipxe-images clean
.SECONDARY:
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
