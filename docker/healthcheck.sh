#!/usr/bin/env bash
# The image's HEALTHCHECK: exits 0 when the broker answers a Kafka ApiVersions (v0) request without error
# on its first client listener, 1 otherwise. The listener comes from the configuration the entrypoint
# wrote ($SKIFF_CONFIG_DIR/server.properties): the first entry of `listeners` that is not named in
# `controller.listener.names`; a wildcard or empty host is probed on 127.0.0.1. A listener whose security
# protocol is SSL or SASL_SSL cannot be spoken to in plain bytes: there a TCP connection is the check.
# Needs only bash (/dev/tcp) and coreutils (dd, od, head, timeout).
set -uo pipefail
# A peer that closes while the probe is still writing must make the check fail (exit 1), not kill it with SIGPIPE.
trap '' PIPE

config=${SKIFF_CONFIG_DIR:-${SKIFF_HOME:-/opt/skiff}/config}/server.properties
wait_s=${SKIFF_HEALTHCHECK_TIMEOUT_S:-4}

# The last value of property $1 in the configuration (later lines win, as in a properties file).
property() {
  sed -n -E "s/^[[:space:]]*$1[[:space:]]*[=:][[:space:]]*//p" "$config" 2>/dev/null | tail -n 1 | tr -d '[:space:]'
}

listeners=$(property 'listeners')
listeners=${listeners:-PLAINTEXT://0.0.0.0:9092}
controllers=",$(property 'controller\.listener\.names' | tr '[:lower:]' '[:upper:]'),"
protocol_map=",$(property 'listener\.security\.protocol\.map' | tr '[:lower:]' '[:upper:]'),"

chosen=
IFS=',' read -r -a entries <<<"$listeners"
for entry in "${entries[@]}"; do
  name=$(tr '[:lower:]' '[:upper:]' <<<"${entry%%://*}")
  if [[ -n $name ]] && [[ $controllers != *",$name,"* ]]; then
    chosen=$entry
    break
  fi
done
if [[ -z $chosen ]]; then
  echo "no client listener in listeners=$listeners" >&2
  exit 1
fi

name=$(tr '[:lower:]' '[:upper:]' <<<"${chosen%%://*}")
hostport=${chosen#*://}
port=${hostport##*:}
host=${hostport%:*}
host=${host#[}
host=${host%]}
if [[ -z $host ]] || [[ $host == 0.0.0.0 ]] || [[ $host == :: ]]; then
  host=127.0.0.1
fi
protocol=$name
if [[ $protocol_map == *",$name:"* ]]; then
  protocol=${protocol_map#*,"$name":}
  protocol=${protocol%%,*}
fi

if ! exec 3<>"/dev/tcp/$host/$port"; then
  echo "cannot connect to $host:$port" >&2
  exit 1
fi
if [[ $protocol == SSL ]] || [[ $protocol == SASL_SSL ]]; then
  exit 0
fi
# ApiVersions v0: size 10, api key 18, version 0, correlation id 0x534b4946 ("SKIF"), null client id.
if ! printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x53\x4b\x49\x46\xff\xff' >&3 2>/dev/null; then
  echo "no ApiVersions answer from $host:$port (the connection closed while sending)" >&2
  exit 1
fi
# The answer starts with its size, the correlation id and the error code; dd reads byte by byte so that
# nothing past them is taken, and the rest of the answer is read before closing, so that the broker sees an
# orderly close rather than a reset.
reply=$(timeout "$wait_s" dd bs=1 count=10 status=none <&3 | od -An -v -tx1 | tr -d ' \n')
if [[ ${reply:8:8} == 534b4946 ]] && [[ ${reply:16:4} == 0000 ]]; then
  rest=$((16#${reply:0:8} - 6))
  if [ "$rest" -gt 0 ] && [ "$rest" -lt 1048576 ]; then
    timeout "$wait_s" head -c "$rest" <&3 >/dev/null
  fi
  exec 3>&-
  exit 0
fi
echo "no ApiVersions answer from $host:$port (got '${reply}')" >&2
exit 1
