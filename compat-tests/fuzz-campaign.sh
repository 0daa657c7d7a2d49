#!/usr/bin/env bash
# The long protocol-fuzzing campaign, outside `mvn test`: ProtocolFuzzCompatTest's campaign with
# N fuzzed requests (default 1,000,000) from several connections against one broker process,
# checking after every batch that the broker is alive, answers Metadata, Produce and Fetch, that
# its logs validate and that Netty's leak detector reported nothing. `mvn test` runs only the
# quick fuzz tests.
#
#   compat-tests/fuzz-campaign.sh [requests]
#
# SKIFF_FUZZ_SEED=<n> picks the seed (default 1; a failure prints the seeds to replay);
# SKIFF_FUZZ_CONNECTIONS (default 4); MVN_ARGS (e.g. -o) go to Maven.
set -euo pipefail
requests="${1:-1000000}"
cd "$(dirname "$0")/.."
status=0
mvn -B ${MVN_ARGS:-} -pl compat-tests -am test -Dtest=ProtocolFuzzCompatTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dskiff.fuzz.requests="$requests" \
  ${SKIFF_FUZZ_SEED:+-Dskiff.fuzz.seed=$SKIFF_FUZZ_SEED} \
  ${SKIFF_FUZZ_CONNECTIONS:+-Dskiff.fuzz.connections=$SKIFF_FUZZ_CONNECTIONS} || status=$?
out=compat-tests/target/surefire-reports/io.skiff.compat.ProtocolFuzzCompatTest-output.txt
if [ -f "$out" ]; then
  grep -E '^fuzz campaign' "$out" || true
fi
exit $status
