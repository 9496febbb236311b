#!/usr/bin/env bash
# Runs every test: installs missing prerequisites, builds the solution, runs each test project in turn
# against real servers, and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build AceTrainer.sln -c Release -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0; status=0
results=$(mktemp -d)
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "=== $name"
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@"
  code=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    p=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
    f=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    # A crashed test host can exit non-zero with no failed test counted: count it as a failure.
    if [ $code -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
  else
    failed=$((failed + 1))
  fi
  [ $code -eq 0 ] || status=1
done
echo "$passed passed, $failed failed"
exit $status
