#!/usr/bin/env bash
# The long durability campaign, outside `mvn test`: DurabilityCampaignCompatTest with many
# SIGKILLs (default 100) in fsync mode, and as many kills followed by a simulated power loss in
# the default (page cache) mode. `mvn test` runs the same test with 5 kills.
#
#   compat-tests/durability-campaign.sh [kills]
#
# SKIFF_CAMPAIGN_SEED=<n> repeats a run (the seed is printed); MVN_ARGS (e.g. -o) go to Maven.
set -euo pipefail
kills="${1:-100}"
cd "$(dirname "$0")/.."
status=0
mvn -B ${MVN_ARGS:-} -pl compat-tests -am test -Dtest=DurabilityCampaignCompatTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dskiff.campaign.kills="$kills" \
  ${SKIFF_CAMPAIGN_SEED:+-Dskiff.campaign.seed=$SKIFF_CAMPAIGN_SEED} || status=$?
out=compat-tests/target/surefire-reports/io.skiff.compat.DurabilityCampaignCompatTest-output.txt
if [ -f "$out" ]; then
  grep -E '^durability campaign' "$out" || true
fi
exit $status
