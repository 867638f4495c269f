# techaid: the two commands are `make run` and `make test`.
#
#   make setup      install missing system packages (scripts/setup.sh; quick when all is there)
#   make test       gofmt check, go vet, go test -race — what CI runs (.ci/run)
#   make test-long  the same with TECHAID_LONG=1 and a 3-hour timeout (about 2 h on 2 cores): long tests
#                   (the 1,000-kill crash test, many random seeds) read TECHAID_LONG and
#                   otherwise run a short version of themselves
#   make run        the desktop app on the per-user data directory (no server needed); the first run
#                   asks which office this PC belongs to. no_emoji: Fyne's emoji font costs ~10 MB RSS
#   make bench      benchmarks with allocation figures, then the export and sync figures of real
#                   processes (for the README's performance section; about 15 minutes on 2 quiet cores)
#   make fuzz       every fuzz target for FUZZTIME each (10s; make test runs them 4s, test-long 2m)
#   make package    dist/: the Linux package, the Windows installer and the .exe it installs, static
#                   techaid-cli and techaid-city for both (signed when TECHAID_SIGN_* names a certificate)
#   make smoke      start the packaged desktop builds under Xvfb and screenshot them; under wine install,
#                   sign (a throwaway certificate), upgrade in place and uninstall the Windows installer
#   make fmt, vet   convenience

# Go lives at /usr/local/go on our machines and CI; find it there even when it is not on PATH.
export PATH := /usr/local/go/bin:$(PATH)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

GO       ?= go
TAGS     ?= ci
PKGS     ?= ./...
# Extra flags for go test, e.g. make test GOTESTFLAGS='-run TestCrash -v'
GOTESTFLAGS ?=

# Go files to check with gofmt: tracked and untracked-but-not-ignored, minus vendor/.
# Outside a git work tree, every .go file below here.
GOFILES = $(shell { git ls-files --cached --others --exclude-standard -- '*.go' 2>/dev/null \
            || find . -name '*.go' -not -path './.git/*'; } | grep -v '^\(\./\)\?vendor/' | sort -u)

.PHONY: setup test test-long run bench package smoke fmt fmt-check vet fuzz

setup:
	bash scripts/setup.sh

fmt-check:
	@files='$(GOFILES)'; \
	if [[ -z $$files ]]; then exit 0; fi; \
	bad=$$(gofmt -l $$files); \
	if [[ -n $$bad ]]; then \
		echo "gofmt: these files need formatting (run 'make fmt'):" >&2; \
		echo "$$bad" | sed 's/^/  /' >&2; \
		exit 1; \
	fi

vet:
	$(GO) vet -tags $(TAGS) $(PKGS)

# -timeout: go test's default of 10 minutes a package is near what sync/faults takes on two cores
# (8.5 min) and below it on a loaded machine (it ran out at 10 min and panicked as if it hung); 30
# still stops a real hang with every goroutine's stack.
test: setup
	$(MAKE) --no-print-directory fmt-check vet
	$(GO) test -race -tags $(TAGS) -count=1 -timeout 30m $(GOTESTFLAGS) $(PKGS)
	FUZZTIME=4s bash scripts/fuzz.sh

test-long: setup
	$(MAKE) --no-print-directory fmt-check vet
	TECHAID_LONG=1 $(GO) test -race -tags $(TAGS) -count=1 -timeout 180m $(GOTESTFLAGS) $(PKGS)
	FUZZTIME=2m bash scripts/fuzz.sh

run: setup
	$(GO) run -tags no_emoji .

package: setup
	bash scripts/package.sh

smoke: package
	bash scripts/smoke.sh

fuzz:
	bash scripts/fuzz.sh

# bench: the Go benchmarks (each once where one run is 100k records), then the process-level figures of
# the README's performance section: every export and the 100k-row imports (time, peak RSS), and sync
# between real techaid-city and techaid-cli processes (records/s, peak RSS of each end, 2,000 offices).
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	bash scripts/bench-sheets.sh 100000 1
	sh scripts/bench-sync.sh 100000 2000

fmt:
	@files='$(GOFILES)'; [[ -z $$files ]] || gofmt -l -w $$files
