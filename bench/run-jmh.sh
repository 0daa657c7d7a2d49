#!/usr/bin/env bash
# Runs the JMH microbenchmarks (bench must be built: mvn -q -pl bench -am package -DskipTests).
# Arguments go to JMH, e.g.:
#   bench/run-jmh.sh                         every benchmark
#   bench/run-jmh.sh Crc32c -prof gc         one benchmark, with allocation per operation
#   bench/run-jmh.sh -l                      list them
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
jar=$(ls "$home"/bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
exec "${JAVA:-java}" -cp "$jar:$home/bench/target/lib/*" org.openjdk.jmh.Main "$@"
