#!/usr/bin/env bash
# Skiff's container entrypoint (also installed as /etc/kafka/docker/run, the path the apache/kafka image
# and Testcontainers' KafkaContainer start). It takes the apache/kafka image's conventions:
#
#   - NAME=value arguments set environment variables; any other command runs in place of the broker
#     (`docker run skiff:latest bash`).
#   - The configuration is /mnt/shared/config/server.properties when mounted, with every KAFKA_* variable
#     appended over it (KAFKA_FOO_BAR -> foo.bar, ___ -> '-', __ -> '_'; KAFKA_HEAP_OPTS, KAFKA_OPTS and the
#     other script variables are not properties). With neither a file nor a KAFKA_* variable, the image's
#     default single node: listeners on 0.0.0.0:9092, advertised as localhost:9092.
#   - KAFKA_LISTENERS, when unset, is KAFKA_ADVERTISED_LISTENERS with every host made 0.0.0.0.
#   - CLUSTER_ID (apache/kafka's default when unset) formats the log directories at every start; a
#     directory formatted before, for this or another cluster, is left as it is.
#   - log.dirs, when neither the file nor the environment sets it, is the image's volume.
#   - The JVM: KAFKA_HEAP_OPTS (else SKIFF_HEAP_OPTS, else -Xms256m -Xmx1g), KAFKA_OPTS and SKIFF_OPTS;
#     KAFKA_LOG4J_ROOT_LOGLEVEL is the root log level (-Dskiff.log.level).
#
# The final configuration is written to $SKIFF_CONFIG_DIR/server.properties; the healthcheck reads it.
# Paths and the java command can be moved with SKIFF_HOME, SKIFF_CONFIG_DIR, SKIFF_MOUNTED_CONFIG_DIR,
# SKIFF_DEFAULT_CONFIG, SKIFF_DATA_DIR and JAVA (the tests run this script outside any image that way).
set -euo pipefail

SKIFF_HOME=${SKIFF_HOME:-/opt/skiff}
config_dir=${SKIFF_CONFIG_DIR:-$SKIFF_HOME/config}
mounted_dir=${SKIFF_MOUNTED_CONFIG_DIR:-/mnt/shared/config}
default_config=${SKIFF_DEFAULT_CONFIG:-$SKIFF_HOME/docker/server.properties}
data_dir=${SKIFF_DATA_DIR:-/var/lib/skiff/data}
java=${JAVA:-java}
final=$config_dir/server.properties

# Variables of Kafka's scripts that are JVM or logging settings, not broker properties.
not_properties=" KAFKA_VERSION KAFKA_HEAP_OPTS KAFKA_LOG4J_OPTS KAFKA_OPTS KAFKA_JMX_OPTS KAFKA_JVM_PERFORMANCE_OPTS \
KAFKA_GC_LOG_OPTS KAFKA_LOG4J_ROOT_LOGLEVEL KAFKA_LOG4J_LOGGERS KAFKA_TOOLS_LOG4J_LOGLEVEL KAFKA_JMX_HOSTNAME \
KAFKA_JMX_PORT KAFKA_DEBUG KAFKA_HOME KAFKA_CLUSTER_ID "

while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
  export "${1?}"
  shift
done
if [ $# -gt 0 ]; then
  exec "$@"
fi

# Prints one key=value line per KAFKA_* property variable, sorted by variable name.
env_properties() {
  local name key
  for name in $(compgen -e | LC_ALL=C sort); do
    if [[ $name != KAFKA_* ]] || [[ $not_properties == *" $name "* ]]; then
      continue
    fi
    key=${name#KAFKA_}
    key=${key,,}
    key=${key//_/.}
    key=${key//.../-}
    key=${key//../_}
    printf '%s=%s\n' "$key" "${!name}"
  done
}

# Whether the final file sets the property $1 (a regular expression of key names).
sets() {
  grep -Eq "^[[:space:]]*($1)[[:space:]]*[=:]" "$final"
}

if [[ ${KAFKA_PROCESS_ROLES:-} == controller ]] && [[ -n ${KAFKA_ADVERTISED_LISTENERS:-} ]]; then
  echo "KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller." >&2
  exit 1
fi
if [[ -z ${KAFKA_LISTENERS:-} ]] && [[ ${KAFKA_PROCESS_ROLES:-} != controller ]] \
    && [[ -n ${KAFKA_ADVERTISED_LISTENERS:-} ]]; then
  KAFKA_LISTENERS=$(sed -e 's|://[^:]*:|://0.0.0.0:|g' <<<"$KAFKA_ADVERTISED_LISTENERS")
  export KAFKA_LISTENERS
fi
export CLUSTER_ID=${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}

mkdir -p "$config_dir"
if [ -e "$mounted_dir/server.properties" ]; then
  echo "===> Configuration from $mounted_dir/server.properties, with the KAFKA_* environment over it"
  { cat "$mounted_dir/server.properties"; echo; env_properties; } >"$final"
else
  env_properties >"$final"
fi
if ! grep -q '[^[:space:]]' "$final"; then
  echo "===> No configuration given (no mounted server.properties, no KAFKA_* variable): the default single node"
  cp "$default_config" "$final"
fi
if ! sets 'log\.dirs?'; then
  printf '\n# Added by the entrypoint: the data lives in the image'"'"'s volume.\nlog.dirs=%s\n' "$data_dir" >>"$final"
fi

read -r -a heap <<<"${KAFKA_HEAP_OPTS:-${SKIFF_HEAP_OPTS:--Xms256m -Xmx1g}}"
read -r -a opts <<<"${KAFKA_OPTS:-} ${SKIFF_OPTS:-}"
if [ -n "${KAFKA_LOG4J_ROOT_LOGLEVEL:-}" ]; then
  opts=("-Dskiff.log.level=$KAFKA_LOG4J_ROOT_LOGLEVEL" "${opts[@]}")
fi
classpath="$SKIFF_HOME/lib/*"

echo "===> Formatting the log directories for cluster $CLUSTER_ID"
status=0
output=$("$java" -Xmx128m -XX:TieredStopAtLevel=1 -Dskiff.log.level=ERROR -cp "$classpath" io.skiff.broker.SkiffMain \
  format --cluster-id "$CLUSTER_ID" "$final" 2>&1) || status=$?
echo "$output"
if [ "$status" -ne 0 ] && ! grep -qi 'already formatted' <<<"$output"; then
  exit 1
fi

echo "===> Launching Skiff with $final"
exec "$java" "${heap[@]}" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError "${opts[@]}" -cp "$classpath" \
  io.skiff.broker.SkiffMain "$final"
