#!/usr/bin/env bash
# Runs the load runner against a broker that is already running (bench must be built:
# mvn -q -pl bench -am package -DskipTests).
#   bench/run-load.sh --bootstrap 127.0.0.1:9092 --workload "kind=produce record.size=1024 acks=all idempotence=true"
# Options: see bench/README.md.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
jar=$(ls "$home"/bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
exec "${JAVA:-java}" -Xms512m -Xmx2g -cp "$jar:$home/bench/target/lib/*" io.skiff.bench.LoadRunner "$@"
