#!/usr/bin/env bash
# make fuzz: AFL++ drives the SharpFuzz harness over the stack's input path for a bounded time.
#   tests/Net.Fuzz/fuzz.sh [SECONDS]      (default 120)
# Every crashing input found is copied to tests/Net.Tests/Fuzz/crashers/ (named by its SHA-256), where the
# FuzzRegressionTests in `make test` replay it: commit the file with the fix.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-120}
out=tests/results/fuzz
tools=tests/Net.Fuzz/bin/tools
crashers=tests/Net.Tests/Fuzz/crashers

command -v afl-fuzz >/dev/null || { echo "fuzz: installing afl++"; apt-get install -y -qq afl++ >/dev/null; }
[ -x $tools/sharpfuzz ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path $tools >/dev/null

rm -rf $out && mkdir -p $out
dotnet build tests/Net.Fuzz -c Release -o $out/bin --nologo -v q
dotnet $out/bin/CosmosNet.Net.Fuzz.dll --seeds $out/seeds
cp -r $out/bin $out/plain                            # uninstrumented, to replay crashers outside AFL
$tools/sharpfuzz $out/bin/CosmosNet.Net.dll        # instrument the stack only (a copy; normal builds are untouched)

echo "fuzz: afl-fuzz for ${seconds}s (findings in $out/findings)"
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -i $out/seeds -o $out/findings -V "$seconds" -t 10000 -m none -- dotnet $out/bin/CosmosNet.Net.Fuzz.dll \
  > $out/afl.log 2>&1 || { tail -30 $out/afl.log; exit 1; }

stats=$out/findings/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' $stats | sed 's/^/  /'

mkdir -p $crashers
new=0
for f in $out/findings/default/crashes/id:*; do
  [ -f "$f" ] || continue
  name=$(sha256sum "$f" | cut -c1-16).bin
  [ -f "$crashers/$name" ] || { cp "$f" "$crashers/$name"; new=$((new + 1)); echo "  new crasher: $crashers/$name"; }
done
if [ "$new" -gt 0 ]; then
  dotnet $out/plain/CosmosNet.Net.Fuzz.dll --replay $crashers/*.bin | grep -A3 CRASH || true
  echo "fuzz: $new new crasher(s) saved; they fail FuzzRegressionTests until fixed"
  exit 1
fi
echo "fuzz: no crashes"
