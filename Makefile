# Build, test, install and uninstall btrfs-steward. See docs/operations.md.
#
#   make build [STATIC=0]           release build (.build-make/), the Swift runtime linked in
#   make install [PREFIX=/usr/local] [DESTDIR=] [STATIC=0]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#   make deb                        a Debian binary package (static binary) in .build-make/deb/
#   make demo                       installs btrfs-progs if it is missing, builds, runs the demo
#   make test                       swift test

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
# systemd reads units from /usr/local/lib/systemd/system and /usr/lib/systemd/system; with another
# PREFIX, set UNITDIR=/etc/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system
# No state directory is installed: the unit's StateDirectory= makes /var/lib/btrfs-steward (0700),
# and so does the tool when it first writes a journal.
POLICYDIR ?= /etc/btrfs-steward
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Debian's zsh reads packages' completions from /usr/share/zsh/vendor-completions; site-functions
# is for the administrator's own (/usr/local).
ZSHCOMPDIR ?= $(if $(filter /usr,$(PREFIX)),$(DATADIR)/zsh/vendor-completions,$(DATADIR)/zsh/site-functions)
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

SWIFT ?= swift
# The build directory, apart from the developers' .build so that the two never wait for each other.
SCRATCH ?= .build-make
# The binary links the Swift runtime and Foundation in (STATIC=1, the default): root's timers run
# it at night, and it must not break when the Swift toolchain it was built with moves or goes; it
# also starts with less CPU time, since the loader relocates no Swift library (`plan` of the
# compaction benchmark's image: 16 ms of user time against 27-53 ms). STATIC=0 links them
# dynamically from the toolchain, as `swift build` does. The flag is swiftc's -static-stdlib,
# which is what `swift build --static-swift-stdlib` does on Linux, because `swift package` (which
# runs the man page plugin) takes -Xswiftc but not --static-swift-stdlib, and with the very same
# flags the plugin's build reuses the release build instead of compiling everything again.
STATIC ?= 1
STATIC_FLAG := $(if $(filter 1 yes true,$(STATIC)),-Xswiftc -static-stdlib)
BUILD_FLAGS := -c release --scratch-path $(SCRATCH) $(STATIC_FLAG)

# The template units in systemd/, each a .service with its .timer: balance runs, scrub, the device
# error check, trim.
SERVICES = btrfs-steward@ btrfs-steward-scrub@ btrfs-steward-check@ btrfs-steward-trim@
# The binary's path inside the units in systemd/, replaced by $(BINDIR)/btrfs-steward on install.
UNIT_BINARY := /usr/local/bin/btrfs-steward
STAGE := $(SCRATCH)/stage

# The man page's date: SOURCE_DATE_EPOCH (reproducible builds), else the last commit's date, else
# the date of the file VERSION; never the day of the build.
MAN_DATE ?= $(shell if [ -n "$$SOURCE_DATE_EPOCH" ]; then date -u -d "@$$SOURCE_DATE_EPOCH" +%F; \
  else git log -1 --format=%cs 2>/dev/null | grep . || date -u -r VERSION +%F; fi)
VERSION := $(shell head -n 1 VERSION)

.PHONY: all build man completions stage install uninstall test clean deb demo

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS) --product btrfs-steward

# The man page, from the command-line definitions, by swift-argument-parser's generate-manual
# plugin. The plugin builds every product of the package in release mode with BUILD_FLAGS (after
# `build`, only steward-bench and the generate-manual tool are left to build) and writes its pages
# into the build directory, not the package.
man: build
	$(SWIFT) package $(BUILD_FLAGS) generate-manual --date $(MAN_DATE)
	mkdir -p $(STAGE)
	awk -f docs/man/merge-sections.awk docs/man/sections.mdoc \
	  $(SCRATCH)/plugins/GenerateManual/outputs/btrfs-steward/btrfs-steward.1 \
	  > $(STAGE)/btrfs-steward.1

# The completion scripts are sourced, never run: no #! line (bash-completion-with-hashbang).
completions: build
	mkdir -p $(STAGE)
	for shell in bash zsh fish; do \
	  "$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/btrfs-steward" \
	    --generate-completion-script $$shell > $(STAGE)/completion.$$shell || exit 1; \
	  sed -i '1{/^#!/d}' $(STAGE)/completion.$$shell; \
	done

# Everything install copies, made by the build user (install may then run as root).
stage: build man completions
	cp "$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/btrfs-steward" $(STAGE)/btrfs-steward
	for unit in $(SERVICES); do \
	  sed 's|$(UNIT_BINARY)|$(BINDIR)/btrfs-steward|g' "systemd/$$unit.service" \
	    > "$(STAGE)/$$unit.service" || exit 1; \
	done

install: stage
	install -D -m 0755 $(STAGE)/btrfs-steward $(DESTDIR)$(BINDIR)/btrfs-steward
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
	install -D -m 0644 $(STAGE)/btrfs-steward.1 $(DESTDIR)$(MANDIR)/man1/btrfs-steward.1
	install -D -m 0644 $(STAGE)/completion.bash $(DESTDIR)$(BASHCOMPDIR)/btrfs-steward
	install -D -m 0644 $(STAGE)/completion.zsh $(DESTDIR)$(ZSHCOMPDIR)/_btrfs-steward
	install -D -m 0644 $(STAGE)/completion.fish $(DESTDIR)$(FISHCOMPDIR)/btrfs-steward.fish
	@echo 'Installed. Enable a policy with:'
	@echo '  systemctl daemon-reload && systemctl enable --now btrfs-steward@nightly-compaction.timer'

# Removes what install put, except the policies in $(POLICYDIR) and the journals in
# /var/lib/btrfs-steward.
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

# A Debian binary package of the static build, for machines without a Swift toolchain: the binary
# (stripped here; `make install` leaves stripping to the packager), units, man page, completions,
# and the example policies as conffiles in /etc/btrfs-steward. See docs/operations.md.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB_ROOT := $(SCRATCH)/deb/root
DEB_FILE := $(SCRATCH)/deb/btrfs-steward_$(VERSION)_$(DEB_ARCH).deb
deb:
	rm -rf $(DEB_ROOT)
	$(MAKE) install STATIC=1 PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_ROOT) SCRATCH=$(SCRATCH)
	strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	  $(DEB_ROOT)/usr/bin/btrfs-steward
	gzip -9n $(DEB_ROOT)/usr/share/man/man1/btrfs-steward.1
	install -d -m 0755 $(DEB_ROOT)/usr/share/doc/btrfs-steward $(DEB_ROOT)/DEBIAN
	install -m 0644 packaging/debian/copyright $(DEB_ROOT)/usr/share/doc/btrfs-steward/
	gzip -9nc packaging/debian/changelog > $(DEB_ROOT)/usr/share/doc/btrfs-steward/changelog.gz
	chmod 0644 $(DEB_ROOT)/usr/share/doc/btrfs-steward/changelog.gz
	cd $(DEB_ROOT) && find etc -type f | sed 's|^|/|' | sort > DEBIAN/conffiles
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
	  -e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" \
	  packaging/debian/control.in > $(DEB_ROOT)/DEBIAN/control
	chmod -R u+rwX,go+rX,go-w $(DEB_ROOT)
	dpkg-deb --root-owner-group --build $(DEB_ROOT) $(DEB_FILE)
	@echo "Built $(DEB_FILE)"

# The README's first command on a fresh Debian machine (as root, with a Swift toolchain): installs
# what is missing from Debian's archive (btrfs-progs for mkfs.btrfs, libyaml-dev and pkg-config for
# the build), builds, and runs the tour. Its output is the demo's, on standard output.
DEMO_PACKAGES = $(if $(shell PATH="$$PATH:/usr/sbin:/sbin" command -v mkfs.btrfs),,btrfs-progs) \
  $(if $(shell pkg-config --exists yaml-0.1 2>/dev/null && echo yes),,libyaml-dev pkg-config)
demo:
	$(if $(strip $(DEMO_PACKAGES)),apt-get update && apt-get install -y $(DEMO_PACKAGES))
	$(SWIFT) build -c release --product btrfs-steward
	"$$($(SWIFT) build -c release --show-bin-path)/btrfs-steward" demo

test:
	$(SWIFT) test

clean:
	rm -rf $(SCRATCH)
