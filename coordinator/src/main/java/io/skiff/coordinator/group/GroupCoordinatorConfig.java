package io.skiff.coordinator.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The group coordinator's settings, with Apache Kafka's property names and defaults. Built once
 * at start-up by {@link #fromProperties(Map)}, which rejects a bad value with a message naming
 * the key and the value. Immutable.
 */
public final class GroupCoordinatorConfig {
    public static final String OFFSETS_TOPIC_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String CONSUMER_GROUP_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String CONSUMER_GROUP_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String CONSUMER_GROUP_MAX_SIZE = "group.consumer.max.size";
    public static final String CONSUMER_GROUP_ASSIGNMENT_INTERVAL_MS = "group.consumer.assignment.interval.ms";
    public static final String CONSUMER_GROUP_ASSIGNORS = "group.consumer.assignors";
    public static final String CONSUMER_GROUP_MIGRATION_POLICY = "group.consumer.migration.policy";
    public static final String GROUP_COORDINATOR_THREADS = "group.coordinator.threads";
    /** The largest batch a coordinator partition accepts (the broker's default for max.message.bytes). */
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";

    /** How long a new classic member's JoinGroup may stay parked (Kafka's fixed 5 minutes). */
    public static final int CLASSIC_NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    private final int offsetsTopicPartitions;
    private final int offsetMetadataMaxBytes;
    private final long offsetsRetentionMs;
    private final long offsetsRetentionCheckIntervalMs;
    private final int initialRebalanceDelayMs;
    private final int minSessionTimeoutMs;
    private final int maxSessionTimeoutMs;
    private final int classicGroupMaxSize;
    private final int consumerGroupHeartbeatIntervalMs;
    private final int consumerGroupSessionTimeoutMs;
    private final int consumerGroupMaxSize;
    private final int consumerGroupAssignmentIntervalMs;
    private final List<String> consumerGroupAssignors;
    private final String migrationPolicy;
    private final int threads;
    private final int maxMessageBytes;

    private GroupCoordinatorConfig(Builder b) {
        this.offsetsTopicPartitions = b.offsetsTopicPartitions;
        this.offsetMetadataMaxBytes = b.offsetMetadataMaxBytes;
        this.offsetsRetentionMs = b.offsetsRetentionMs;
        this.offsetsRetentionCheckIntervalMs = b.offsetsRetentionCheckIntervalMs;
        this.initialRebalanceDelayMs = b.initialRebalanceDelayMs;
        this.minSessionTimeoutMs = b.minSessionTimeoutMs;
        this.maxSessionTimeoutMs = b.maxSessionTimeoutMs;
        this.classicGroupMaxSize = b.classicGroupMaxSize;
        this.consumerGroupHeartbeatIntervalMs = b.consumerGroupHeartbeatIntervalMs;
        this.consumerGroupSessionTimeoutMs = b.consumerGroupSessionTimeoutMs;
        this.consumerGroupMaxSize = b.consumerGroupMaxSize;
        this.consumerGroupAssignmentIntervalMs = b.consumerGroupAssignmentIntervalMs;
        this.consumerGroupAssignors = Collections.unmodifiableList(new ArrayList<>(b.consumerGroupAssignors));
        this.migrationPolicy = b.migrationPolicy;
        this.threads = b.threads;
        this.maxMessageBytes = b.maxMessageBytes;
    }

    /** Kafka's defaults. */
    public static GroupCoordinatorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the group coordinator's keys from broker properties (other keys are ignored).
     *
     * @throws IllegalArgumentException naming the key and value of the first bad setting
     */
    public static GroupCoordinatorConfig fromProperties(Map<String, String> props) {
        Builder b = builder();
        b.offsetsTopicPartitions(intValue(props, OFFSETS_TOPIC_PARTITIONS, b.offsetsTopicPartitions, 1));
        b.offsetMetadataMaxBytes(intValue(props, OFFSET_METADATA_MAX_BYTES, b.offsetMetadataMaxBytes, 0));
        b.offsetsRetentionMs(
                60_000L * intValue(props, OFFSETS_RETENTION_MINUTES, (int) (b.offsetsRetentionMs / 60_000L), 1));
        b.offsetsRetentionCheckIntervalMs(
                longValue(props, OFFSETS_RETENTION_CHECK_INTERVAL_MS, b.offsetsRetentionCheckIntervalMs, 1));
        b.initialRebalanceDelayMs(intValue(props, GROUP_INITIAL_REBALANCE_DELAY_MS, b.initialRebalanceDelayMs, 0));
        b.minSessionTimeoutMs(intValue(props, GROUP_MIN_SESSION_TIMEOUT_MS, b.minSessionTimeoutMs, 0));
        b.maxSessionTimeoutMs(intValue(props, GROUP_MAX_SESSION_TIMEOUT_MS, b.maxSessionTimeoutMs, 0));
        b.classicGroupMaxSize(intValue(props, GROUP_MAX_SIZE, b.classicGroupMaxSize, 1));
        b.consumerGroupHeartbeatIntervalMs(
                intValue(props, CONSUMER_GROUP_HEARTBEAT_INTERVAL_MS, b.consumerGroupHeartbeatIntervalMs, 1));
        b.consumerGroupSessionTimeoutMs(
                intValue(props, CONSUMER_GROUP_SESSION_TIMEOUT_MS, b.consumerGroupSessionTimeoutMs, 1));
        b.consumerGroupMaxSize(intValue(props, CONSUMER_GROUP_MAX_SIZE, b.consumerGroupMaxSize, 1));
        b.consumerGroupAssignmentIntervalMs(
                intValue(props, CONSUMER_GROUP_ASSIGNMENT_INTERVAL_MS, b.consumerGroupAssignmentIntervalMs, 0));
        b.threads(intValue(props, GROUP_COORDINATOR_THREADS, b.threads, 1));
        b.maxMessageBytes(intValue(props, MESSAGE_MAX_BYTES, b.maxMessageBytes, 0));
        String assignors = props.get(CONSUMER_GROUP_ASSIGNORS);
        if (assignors != null) {
            List<String> names = new ArrayList<>();
            for (String raw : assignors.split(",")) {
                String name = raw.trim();
                // Kafka also accepts the assignors' class names.
                if (name.endsWith(".UniformAssignor")) {
                    name = "uniform";
                } else if (name.endsWith(".RangeAssignor")) {
                    name = "range";
                }
                if (!name.equals("uniform") && !name.equals("range")) {
                    throw new IllegalArgumentException("Invalid value " + assignors + " for configuration "
                            + CONSUMER_GROUP_ASSIGNORS + ": unknown assignor " + raw.trim());
                }
                names.add(name);
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("Invalid value " + assignors + " for configuration "
                        + CONSUMER_GROUP_ASSIGNORS + ": at least one assignor is required");
            }
            b.consumerGroupAssignors(names);
        }
        String policy = props.get(CONSUMER_GROUP_MIGRATION_POLICY);
        if (policy != null) {
            b.migrationPolicy(policy);
        }
        return b.build();
    }

    private static int intValue(Map<String, String> props, String key, int defaultValue, int min) {
        long v = longValue(props, key, defaultValue, min);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Invalid value " + props.get(key) + " for configuration " + key + ": Not a number of type INT");
        }
        return (int) v;
    }

    private static long longValue(Map<String, String> props, String key, long defaultValue, long min) {
        String raw = props.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.trim());
            if (v < min) {
                throw new IllegalArgumentException(
                        "Invalid value " + raw + " for configuration " + key + ": Value must be at least " + min);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + raw + " for configuration " + key + ": Not a number");
        }
    }

    public int offsetsTopicPartitions() {
        return offsetsTopicPartitions;
    }

    public int offsetMetadataMaxBytes() {
        return offsetMetadataMaxBytes;
    }

    public long offsetsRetentionMs() {
        return offsetsRetentionMs;
    }

    public long offsetsRetentionCheckIntervalMs() {
        return offsetsRetentionCheckIntervalMs;
    }

    public int initialRebalanceDelayMs() {
        return initialRebalanceDelayMs;
    }

    public int minSessionTimeoutMs() {
        return minSessionTimeoutMs;
    }

    public int maxSessionTimeoutMs() {
        return maxSessionTimeoutMs;
    }

    public int classicGroupMaxSize() {
        return classicGroupMaxSize;
    }

    public int consumerGroupHeartbeatIntervalMs() {
        return consumerGroupHeartbeatIntervalMs;
    }

    public int consumerGroupSessionTimeoutMs() {
        return consumerGroupSessionTimeoutMs;
    }

    public int consumerGroupMaxSize() {
        return consumerGroupMaxSize;
    }

    /** The least time between two target assignments of a consumer group (KIP-1263). */
    public int consumerGroupAssignmentIntervalMs() {
        return consumerGroupAssignmentIntervalMs;
    }

    /** Server assignor names; the first is the default. */
    public List<String> consumerGroupAssignors() {
        return consumerGroupAssignors;
    }

    public boolean upgradeEnabled() {
        return migrationPolicy.equals("bidirectional") || migrationPolicy.equals("upgrade");
    }

    public boolean downgradeEnabled() {
        return migrationPolicy.equals("bidirectional") || migrationPolicy.equals("downgrade");
    }

    public int threads() {
        return threads;
    }

    /** The largest record batch the coordinator writes. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Settings with Kafka's defaults until changed. */
    public static final class Builder {
        private int offsetsTopicPartitions = 50;
        private int offsetMetadataMaxBytes = 4096;
        private long offsetsRetentionMs = 7L * 24 * 60 * 60 * 1000;
        private long offsetsRetentionCheckIntervalMs = 600_000L;
        private int initialRebalanceDelayMs = 3000;
        private int minSessionTimeoutMs = 6000;
        private int maxSessionTimeoutMs = 1_800_000;
        private int classicGroupMaxSize = Integer.MAX_VALUE;
        private int consumerGroupHeartbeatIntervalMs = 5000;
        private int consumerGroupSessionTimeoutMs = 45000;
        private int consumerGroupMaxSize = Integer.MAX_VALUE;
        private int consumerGroupAssignmentIntervalMs = 1000;
        private List<String> consumerGroupAssignors = List.of("uniform", "range");
        private String migrationPolicy = "bidirectional";
        private int threads = 4;
        private int maxMessageBytes = 1048588;

        public Builder offsetsTopicPartitions(int v) {
            offsetsTopicPartitions = v;
            return this;
        }

        public Builder offsetMetadataMaxBytes(int v) {
            offsetMetadataMaxBytes = v;
            return this;
        }

        public Builder offsetsRetentionMs(long v) {
            offsetsRetentionMs = v;
            return this;
        }

        public Builder offsetsRetentionCheckIntervalMs(long v) {
            offsetsRetentionCheckIntervalMs = v;
            return this;
        }

        public Builder initialRebalanceDelayMs(int v) {
            initialRebalanceDelayMs = v;
            return this;
        }

        public Builder minSessionTimeoutMs(int v) {
            minSessionTimeoutMs = v;
            return this;
        }

        public Builder maxSessionTimeoutMs(int v) {
            maxSessionTimeoutMs = v;
            return this;
        }

        public Builder classicGroupMaxSize(int v) {
            classicGroupMaxSize = v;
            return this;
        }

        public Builder consumerGroupHeartbeatIntervalMs(int v) {
            consumerGroupHeartbeatIntervalMs = v;
            return this;
        }

        public Builder consumerGroupSessionTimeoutMs(int v) {
            consumerGroupSessionTimeoutMs = v;
            return this;
        }

        public Builder consumerGroupMaxSize(int v) {
            consumerGroupMaxSize = v;
            return this;
        }

        public Builder consumerGroupAssignmentIntervalMs(int v) {
            consumerGroupAssignmentIntervalMs = v;
            return this;
        }

        public Builder consumerGroupAssignors(List<String> v) {
            consumerGroupAssignors = v;
            return this;
        }

        public Builder migrationPolicy(String v) {
            String p = v.trim().toLowerCase(Locale.ROOT);
            if (!p.equals("disabled") && !p.equals("upgrade") && !p.equals("downgrade") && !p.equals("bidirectional")) {
                throw new IllegalArgumentException(
                        "Invalid value " + v + " for configuration " + CONSUMER_GROUP_MIGRATION_POLICY
                                + ": String must be one of: disabled, upgrade, downgrade, bidirectional");
            }
            migrationPolicy = p;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public GroupCoordinatorConfig build() {
            if (minSessionTimeoutMs > maxSessionTimeoutMs) {
                throw new IllegalArgumentException(GROUP_MIN_SESSION_TIMEOUT_MS + " (" + minSessionTimeoutMs
                        + ") must not exceed " + GROUP_MAX_SESSION_TIMEOUT_MS + " (" + maxSessionTimeoutMs + ")");
            }
            if (consumerGroupHeartbeatIntervalMs >= consumerGroupSessionTimeoutMs) {
                throw new IllegalArgumentException(CONSUMER_GROUP_HEARTBEAT_INTERVAL_MS + " ("
                        + consumerGroupHeartbeatIntervalMs + ") must be less than " + CONSUMER_GROUP_SESSION_TIMEOUT_MS
                        + " (" + consumerGroupSessionTimeoutMs + ")");
            }
            return new GroupCoordinatorConfig(this);
        }
    }
}
