# Skiff's image: a drop-in for the apache/kafka image (same environment variables, mounted
# /mnt/shared/config/server.properties, CLUSTER_ID, port 9092, /etc/kafka/docker/run).
#
#   mvn -q package -DskipTests          # broker/target/skiff-broker-*.jar and broker/target/lib
#   docker build -t skiff:latest .      # or docker/build-image.sh, which also makes the base image
#
# BASE_IMAGE needs a Java 17 runtime on the PATH, bash and coreutils. The default is made locally
# without a registry by docker/build-image.sh (debootstrap of Debian bookworm with
# openjdk-17-jre-headless, imported as skiff-base:bookworm-jre17); where a registry is reachable,
# --build-arg BASE_IMAGE=eclipse-temurin:17-jre works as well.
ARG BASE_IMAGE=skiff-base:bookworm-jre17
FROM ${BASE_IMAGE}

ARG SKIFF_UID=10001

LABEL org.opencontainers.image.title="skiff" \
      org.opencontainers.image.description="Skiff, a broker speaking the Apache Kafka protocol"

# The user is written into /etc/passwd directly: a minbase Debian has no useradd. Its writable
# directories belong to group 0 as well, for platforms that run images under an arbitrary uid.
RUN set -eu; \
    echo "skiff:x:${SKIFF_UID}:${SKIFF_UID}:Skiff:/var/lib/skiff:/bin/bash" >> /etc/passwd; \
    echo "skiff:x:${SKIFF_UID}:" >> /etc/group; \
    mkdir -p /opt/skiff/lib /opt/skiff/bin /opt/skiff/docker /opt/skiff/config \
             /var/lib/skiff/data /mnt/shared/config /etc/kafka/docker; \
    ln -s /opt/skiff/bin/entrypoint.sh /etc/kafka/docker/run; \
    chown -R "${SKIFF_UID}:0" /opt/skiff/config /var/lib/skiff /mnt/shared/config; \
    chmod -R g=u /opt/skiff/config /var/lib/skiff /mnt/shared/config

COPY broker/target/lib/ /opt/skiff/lib/
COPY broker/target/skiff-broker-*.jar /opt/skiff/lib/
COPY docker/server.properties /opt/skiff/docker/server.properties
COPY docker/entrypoint.sh docker/healthcheck.sh /opt/skiff/bin/
RUN chmod 0755 /opt/skiff/bin/entrypoint.sh /opt/skiff/bin/healthcheck.sh

ENV PATH=/opt/skiff/bin:$PATH
USER skiff
WORKDIR /var/lib/skiff
VOLUME ["/var/lib/skiff"]
EXPOSE 9092

# An ApiVersions request on the first client listener (docker/healthcheck.sh): healthy once the
# broker answers the Kafka protocol, not merely once the port is open.
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/skiff/bin/healthcheck.sh"]

ENTRYPOINT ["/opt/skiff/bin/entrypoint.sh"]
