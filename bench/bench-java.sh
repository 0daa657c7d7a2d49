# Sourced by the bench scripts: builds Skiff and the bench module (unless SKIFF_BENCH_NO_BUILD=1),
# then `bench_java CLASS ARGS...` runs a bench class with the bench classpath and a 2 GiB heap.
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$home"
if [ "${SKIFF_BENCH_NO_BUILD:-}" != 1 ]; then
  mvn -q -pl bench -am package -DskipTests
fi

bench_java() {
  local main=$1
  shift
  local jar
  jar=$(ls bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
  exec "${JAVA:-java}" -Xms512m -Xmx2g -Dskiff.home="$home" -cp "$jar:$home/bench/target/lib/*" "$main" "$@"
}
