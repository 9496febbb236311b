#!/usr/bin/env bash
# Brings the whole AceTrainer system up locally: installs missing prerequisites, then runs the AppHost.
# Extra arguments go to the AppHost (e.g. ./run.sh --portal-port 5080). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
exec dotnet run --project AceTrainer.AppHost -- "$@"
