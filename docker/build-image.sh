#!/usr/bin/env bash
# Builds Skiff's Docker image where no registry is reachable (used by .ci/run):
#   1. a Docker engine: when none answers, installs Debian's docker.io (apt) and starts dockerd in the
#      background (as root), waiting for its socket;
#   2. the base image skiff-base:bookworm-jre17, once (kept by name): debootstrap --variant=minbase of
#      Debian bookworm with openjdk-17-jre-headless, imported with docker import;
#   3. the broker's jars: mvn -q package -DskipTests when broker/target has none, or older than a main source;
#   4. docker build of the top-level Dockerfile, tagged $SKIFF_IMAGE (default skiff:test) and skiff:latest.
# Each step prints how long it took; the end prints the image size.
#
# Exit status: 0 built; 3 no Docker engine could be had; 4 the base image could not be made; 5 the Maven
# build failed; 6 docker build failed. Every outcome is one line, also written to target/docker-image.status,
# which the Docker compat tests quote when they report themselves skipped.
#
# Settings: SKIFF_IMAGE, SKIFF_BASE_IMAGE, SKIFF_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# SKIFF_DOCKERD_STORAGE_DRIVER (default: dockerd's choice, then vfs when that does not start).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=${SKIFF_IMAGE:-skiff:test}
base=${SKIFF_BASE_IMAGE:-skiff-base:bookworm-jre17}
mirror=${SKIFF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
status_file=$root/target/docker-image.status
mkdir -p "$root/target"
echo "docker/build-image.sh started at $(date -u +%FT%TZ) and did not finish" >"$status_file"

finish() {
  echo "$2" | tee "$status_file"
  exit "$1"
}

elapsed() {
  echo "$(($(date +%s) - $1)) s"
}

engine_answers() {
  timeout 10 docker info >/dev/null 2>&1
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" -eq 0 ] || return 1
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
  timeout 120 apt-get update -q >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q "$@" >/dev/null 2>&1
}

# Starts dockerd detached from this script, with storage driver $1 (empty: dockerd's choice); waits 60 s.
start_dockerd() {
  local args=(--host=unix:///var/run/docker.sock)
  [ -n "$1" ] && args+=(--storage-driver="$1")
  setsid nohup dockerd "${args[@]}" >>"$root/target/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  kill "$pid" 2>/dev/null
  return 1
}

ensure_engine() {
  engine_answers && return 0
  local t0
  t0=$(date +%s)
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install docker.io || finish 3 "no Docker engine: dockerd is not installed and apt-get install docker.io failed"
    echo "installed docker.io in $(elapsed "$t0")"
  fi
  [ "$(id -u)" -eq 0 ] || finish 3 "no Docker engine answers and dockerd can only be started as root"
  local driver=${SKIFF_DOCKERD_STORAGE_DRIVER:-}
  if ! start_dockerd "$driver"; then
    if [ -n "$driver" ] || ! start_dockerd vfs; then
      finish 3 "no Docker engine: dockerd did not start (see target/dockerd.log: $(tail -n 1 "$root/target/dockerd.log"))"
    fi
  fi
  echo "started dockerd in $(elapsed "$t0")"
}

ensure_base() {
  if docker image inspect "$base" >/dev/null 2>&1; then
    echo "base image $base is there"
    return 0
  fi
  local t0 dir
  t0=$(date +%s)
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap \
    || finish 4 "base image $base not made: apt-get install debootstrap failed"
  dir=$(mktemp -d /var/tmp/skiff-base.XXXXXX)
  if ! timeout 900 debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$dir" "$mirror" \
      >"$root/target/debootstrap.log" 2>&1; then
    rm -rf "$dir"
    finish 4 "base image $base not made: debootstrap failed (see target/debootstrap.log)"
  fi
  # What a broker never reads: package caches, documentation, translations, javac's symbol file and the
  # class-data archive for heaps over 32 GB.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/usr/lib/jvm/*/lib/ct.sym \
    "$dir"/usr/lib/jvm/*/lib/server/classes_nocoops.jsa
  if ! tar -C "$dir" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$base" >/dev/null; then
    rm -rf "$dir"
    finish 4 "base image $base not made: docker import failed"
  fi
  rm -rf "$dir"
  echo "made base image $base in $(elapsed "$t0") ($(size_mb "$base") MB)"
}

size_mb() {
  echo $(($(docker image inspect -f '{{.Size}}' "$1") / 1000000))
}

broker_jar() {
  ls "$root"/broker/target/skiff-broker-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -n 1
}

ensure_jars() {
  local jar
  jar=$(broker_jar)
  if [ -n "$jar" ] && [ -d "$root/broker/target/lib" ] \
      && [ -z "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
    return 0
  fi
  local t0
  t0=$(date +%s)
  (cd "$root" && mvn -q -B package -DskipTests -pl broker -am) || finish 5 "image not built: mvn package failed"
  echo "built the broker's jars in $(elapsed "$t0")"
}

build_image() {
  local t0
  t0=$(date +%s)
  docker build --build-arg BASE_IMAGE="$base" -t "$image" -t skiff:latest "$root" >"$root/target/docker-build.log" 2>&1 \
    || finish 6 "image not built: docker build failed (see target/docker-build.log)"
  echo "docker build in $(elapsed "$t0")"
}

start=$(date +%s)
ensure_engine
# A failed build below must not leave an older image for the tests to run.
docker image rm -f "$image" >/dev/null 2>&1
ensure_base
ensure_jars
build_image
finish 0 "built $image ($(size_mb "$image") MB, base $base $(size_mb "$base") MB) in $(elapsed "$start")"
