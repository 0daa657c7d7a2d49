#!/usr/bin/env bash
# The long log-cleaner crash campaign, outside `mvn test`: CleanerCrashCampaignCompatTest with many
# SIGKILLs (default 100) of a broker whose cleaner compacts a topic under load; after each restart
# the log is checked against the model. `mvn test` runs the same test with 5 kills.
#
#   compat-tests/cleaner-campaign.sh [kills]
#
# SKIFF_CAMPAIGN_SEED=<n> repeats a run (the seed is printed); MVN_ARGS (e.g. -o) go to Maven.
set -euo pipefail
kills="${1:-100}"
cd "$(dirname "$0")/.."
status=0
mvn -B ${MVN_ARGS:-} -pl compat-tests -am test -Dtest=CleanerCrashCampaignCompatTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dskiff.cleanerCampaign.kills="$kills" \
  ${SKIFF_CAMPAIGN_SEED:+-Dskiff.cleanerCampaign.seed=$SKIFF_CAMPAIGN_SEED} || status=$?
out=compat-tests/target/surefire-reports/io.skiff.compat.CleanerCrashCampaignCompatTest-output.txt
if [ -f "$out" ]; then
  grep -E '^cleaner campaign' "$out" || true
fi
exit $status
