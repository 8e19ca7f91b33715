#!/usr/bin/env bash
# Runs every test suite of `make test` and prints one closing line summing them all:
#   N passed, N failed
# Each suite is a `dotnet test` project; its TRX file is read for the counts. A suite that crashes
# or leaves no TRX counts as one failure, so a broken suite can never look green.
set -u
cd "$(dirname "$0")/.."
results=tests/results
rm -rf "$results"; mkdir -p "$results"

# name | project | per-suite timeout (seconds). Order: fast host suites first, guest-booting suites last.
SUITES=(
  "net|tests/Net.Tests/Net.Tests.csproj|900"
)
# Suites that only exist once their area has landed are listed in tests/suites.d/*.list (same format).
for f in tests/suites.d/*.list; do
  [ -f "$f" ] || continue
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    SUITES+=("$line")
  done < "$f"
done

passed=0; failed=0
for entry in "${SUITES[@]}"; do
  IFS='|' read -r name project limit <<<"$entry"
  echo "=== suite $name ($project, limit ${limit}s)"
  start=$(date +%s)
  timeout --kill-after=30 "$limit" dotnet test "$project" -c Release --nologo \
    --logger "trx;LogFileName=$PWD/$results/$name.trx" --logger "console;verbosity=normal" \
    >"$results/$name.log" 2>&1
  rc=$?
  grep -E '^\s*(Passed|Failed|Skipped) ' "$results/$name.log" | sed 's/^\s*/  /' | grep -v '^  Passed ' || true
  if [ -f "$results/$name.trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "  suite $name exited $rc without a failed test: counted as 1 failure"; fi
  else
    p=0; f=1
    echo "  suite $name left no results (exit $rc): counted as 1 failure; tail of its log:"
    tail -n 40 "$results/$name.log" | sed 's/^/    /'
  fi
  echo "  $name: $p passed, $f failed ($(( $(date +%s) - start ))s)"
  passed=$((passed + p)); failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
