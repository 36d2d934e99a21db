# Build, test, install and uninstall btrfs-steward. See docs/operations.md.
#
#   make build                      release build (.build-make/)
#   make static                     the same with the Swift runtime linked in (STATIC=1)
#   make install [PREFIX=/usr/local] [DESTDIR=] [STATIC=1]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#   make test                       swift test

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
# systemd reads units from /usr/local/lib/systemd/system and /usr/lib/systemd/system; with another
# PREFIX, set UNITDIR=/etc/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system
POLICYDIR ?= /etc/btrfs-steward
STATEDIR ?= /var/lib/btrfs-steward
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

SWIFT ?= swift
# The build directory, apart from the developers' .build so that the two never wait for each other.
SCRATCH ?= .build-make
# STATIC=1 links the Swift runtime and Foundation into the binary. It passes swiftc's -static-stdlib,
# which is what `swift build --static-swift-stdlib` does on Linux, because `swift package` (which
# runs the man page plugin) takes -Xswiftc but not --static-swift-stdlib, and with the very same
# flags the plugin's build reuses the release build instead of compiling everything again.
STATIC ?= 0
STATIC_FLAG := $(if $(filter 1 yes true,$(STATIC)),-Xswiftc -static-stdlib)
BUILD_FLAGS := -c release --scratch-path $(SCRATCH) $(STATIC_FLAG)

# The template units in systemd/, each a .service with its .timer: balance runs, scrub, the device
# error check, trim.
SERVICES = btrfs-steward@ btrfs-steward-scrub@ btrfs-steward-check@ btrfs-steward-trim@
# The binary's path inside the units in systemd/, replaced by $(BINDIR)/btrfs-steward on install.
UNIT_BINARY := /usr/local/bin/btrfs-steward
STAGE := $(SCRATCH)/stage

.PHONY: all build static man completions stage install uninstall test clean

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS) --product btrfs-steward

static:
	$(MAKE) build STATIC=1

# The man page, from the command-line definitions, by swift-argument-parser's generate-manual
# plugin. The plugin builds every product of the package in release mode with BUILD_FLAGS (after
# `build`, only steward-bench and the generate-manual tool are left to build) and writes its pages
# into the build directory, not the package.
man: build
	$(SWIFT) package $(BUILD_FLAGS) generate-manual
	mkdir -p $(STAGE)
	cp $(SCRATCH)/plugins/GenerateManual/outputs/btrfs-steward/btrfs-steward.1 $(STAGE)/

completions: build
	mkdir -p $(STAGE)
	for shell in bash zsh fish; do \
	  "$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/btrfs-steward" \
	    --generate-completion-script $$shell > $(STAGE)/completion.$$shell || exit 1; \
	done

# Everything install copies, made by the build user (install may then run as root).
stage: build man completions
	cp "$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/btrfs-steward" $(STAGE)/btrfs-steward
	for unit in $(SERVICES); do \
	  sed 's|$(UNIT_BINARY)|$(BINDIR)/btrfs-steward|g' "systemd/$$unit.service" \
	    > "$(STAGE)/$$unit.service" || exit 1; \
	done

install: stage
	install -D -s -m 0755 $(STAGE)/btrfs-steward $(DESTDIR)$(BINDIR)/btrfs-steward
	for unit in $(SERVICES); do \
	  install -D -m 0644 "$(STAGE)/$$unit.service" "$(DESTDIR)$(UNITDIR)/$$unit.service" || exit 1; \
	  install -D -m 0644 "systemd/$$unit.timer" "$(DESTDIR)$(UNITDIR)/$$unit.timer" || exit 1; \
	done
	install -d -m 0755 $(DESTDIR)$(DATADIR)/btrfs-steward/policies $(DESTDIR)$(POLICYDIR)
	install -m 0644 policies/*.yaml $(DESTDIR)$(DATADIR)/btrfs-steward/policies/
	# Example policies go to $(POLICYDIR) too, but an existing policy is the administrator's: kept.
	for policy in policies/*.yaml; do \
	  target='$(DESTDIR)$(POLICYDIR)'/"$$(basename "$$policy")"; \
	  [ -e "$$target" ] || install -m 0644 "$$policy" "$$target" || exit 1; \
	done
	install -d -m 0700 $(DESTDIR)$(STATEDIR)
	install -D -m 0644 $(STAGE)/btrfs-steward.1 $(DESTDIR)$(MANDIR)/man1/btrfs-steward.1
	install -D -m 0644 $(STAGE)/completion.bash $(DESTDIR)$(BASHCOMPDIR)/btrfs-steward
	install -D -m 0644 $(STAGE)/completion.zsh $(DESTDIR)$(ZSHCOMPDIR)/_btrfs-steward
	install -D -m 0644 $(STAGE)/completion.fish $(DESTDIR)$(FISHCOMPDIR)/btrfs-steward.fish
	@echo 'Installed. Enable a policy with:'
	@echo '  systemctl daemon-reload && systemctl enable --now btrfs-steward@nightly-compaction.timer'

# Removes what install put, except the policies in $(POLICYDIR) and the journals in $(STATEDIR).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/btrfs-steward
	for unit in $(SERVICES); do \
	  rm -f "$(DESTDIR)$(UNITDIR)/$$unit.service" "$(DESTDIR)$(UNITDIR)/$$unit.timer"; \
	done
	rm -f $(DESTDIR)$(DATADIR)/btrfs-steward/policies/*.yaml
	-rmdir $(DESTDIR)$(DATADIR)/btrfs-steward/policies $(DESTDIR)$(DATADIR)/btrfs-steward
	rm -f $(DESTDIR)$(MANDIR)/man1/btrfs-steward.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/btrfs-steward $(DESTDIR)$(ZSHCOMPDIR)/_btrfs-steward
	rm -f $(DESTDIR)$(FISHCOMPDIR)/btrfs-steward.fish

test:
	$(SWIFT) test

clean:
	rm -rf $(SCRATCH)
