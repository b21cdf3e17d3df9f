#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, prepares fixtures from
# ../shared/corpus (never copied into the repo), then runs `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PERUSE_FIXTURES="$PWD/.fixtures"
# The rate-limit check in real 60-second windows (issue 3) takes about 2 minutes; the suite
# runs in parallel, so it adds about one. Set PERUSE_LONG_TESTS=0 to leave it out locally.
export PERUSE_LONG_TESTS="${PERUSE_LONG_TESTS:-1}"
mkdir -p "$PERUSE_FIXTURES"
for f in scripts/fixtures/*.sh; do [[ -e "$f" ]] && bash "$f" "$PERUSE_FIXTURES"; done
swift build --build-tests
swift test --skip-build "$@"
