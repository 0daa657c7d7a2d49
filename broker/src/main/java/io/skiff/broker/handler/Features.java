package io.skiff.broker.handler;

import java.util.List;

/**
 * The feature flags a single node announces in ApiVersions: the features it supports, with
 * their version ranges, and the cluster-wide finalized levels. These are the answers of an
 * Apache Kafka 4.3.1 node, so that clients choose the same protocol paths against Skiff.
 * Immutable.
 */
public final class Features {
    /** A supported feature: name and supported version range. */
    public static final class Supported {
        public final String name;
        public final short minVersion;
        public final short maxVersion;

        Supported(String name, int minVersion, int maxVersion) {
            this.name = name;
            this.minVersion = (short) minVersion;
            this.maxVersion = (short) maxVersion;
        }
    }

    /** A finalized feature: name and level. */
    public static final class Finalized {
        public final String name;
        public final short level;

        Finalized(String name, int level) {
            this.name = name;
            this.level = (short) level;
        }
    }

    /** In the order Apache Kafka lists them. */
    public static final List<Supported> SUPPORTED = List.of(
            new Supported("group.version", 0, 1),
            new Supported("kraft.version", 0, 1),
            new Supported("metadata.version", 7, 30),
            new Supported("share.version", 0, 1),
            new Supported("streams.version", 0, 1),
            new Supported("transaction.version", 0, 2),
            new Supported("eligible.leader.replicas.version", 0, 1));

    /** In the order Apache Kafka lists them; kraft.version at level 0 is not listed. */
    public static final List<Finalized> FINALIZED = List.of(
            new Finalized("group.version", 1),
            new Finalized("streams.version", 1),
            new Finalized("transaction.version", 2),
            new Finalized("eligible.leader.replicas.version", 1),
            new Finalized("share.version", 1),
            new Finalized("metadata.version", 30));

    private Features() {}
}
