package io.skiff.storage;

import io.skiff.wire.compress.Codecs;
import io.skiff.wire.record.BatchRecompressor;
import io.skiff.wire.record.TimestampType;
import io.skiff.wire.record.ValidationRules;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A partition log's topic-level configuration: Apache Kafka's topic config names and defaults
 * (as the reference broker describes them), built from a map of overrides on top of defaults.
 * Immutable and thread-safe; a config change makes a new instance ({@link PartitionLog#updateConfig}).
 */
public final class LogConfig {
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String PREALLOCATE = "preallocate";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    /** Every topic config Kafka 4.3.1 describes, with its default (as ConfigCommand --describe --all prints it). */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(CLEANUP_POLICY, "delete");
        d.put("compression.gzip.level", "-1");
        d.put("compression.lz4.level", "9");
        d.put(COMPRESSION_TYPE, "producer");
        d.put("compression.zstd.level", "3");
        d.put(DELETE_RETENTION_MS, "86400000");
        d.put(FILE_DELETE_DELAY_MS, "60000");
        d.put(FLUSH_MESSAGES, Long.toString(Long.MAX_VALUE));
        d.put(FLUSH_MS, Long.toString(Long.MAX_VALUE));
        d.put("follower.replication.throttled.replicas", "");
        d.put(INDEX_INTERVAL_BYTES, "4096");
        d.put("leader.replication.throttled.replicas", "");
        d.put("local.retention.bytes", "-2");
        d.put("local.retention.ms", "-2");
        d.put(MAX_COMPACTION_LAG_MS, Long.toString(Long.MAX_VALUE));
        d.put(MAX_MESSAGE_BYTES, "1048588");
        d.put(MESSAGE_TIMESTAMP_AFTER_MAX_MS, "3600000");
        d.put(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(Long.MAX_VALUE));
        d.put(MESSAGE_TIMESTAMP_TYPE, "CreateTime");
        d.put(MIN_CLEANABLE_DIRTY_RATIO, "0.5");
        d.put(MIN_COMPACTION_LAG_MS, "0");
        d.put(MIN_INSYNC_REPLICAS, "1");
        d.put(PREALLOCATE, "false");
        d.put("remote.log.copy.disable", "false");
        d.put("remote.log.delete.on.disable", "false");
        d.put("remote.storage.enable", "false");
        d.put(RETENTION_BYTES, "-1");
        d.put(RETENTION_MS, "604800000");
        d.put(SEGMENT_BYTES, "1073741824");
        d.put(SEGMENT_INDEX_BYTES, "10485760");
        d.put(SEGMENT_JITTER_MS, "0");
        d.put(SEGMENT_MS, "604800000");
        d.put(UNCLEAN_LEADER_ELECTION_ENABLE, "false");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    /** Kafka's defaults, no overrides. */
    public static final LogConfig DEFAULT = new LogConfig(Collections.emptyMap(), Collections.emptyMap());

    private final Map<String, String> values;
    private final Map<String, String> overrides;

    public final int segmentBytes;
    public final long segmentMs;
    public final long segmentJitterMs;
    public final int maxIndexSize;
    public final int indexIntervalBytes;
    public final long retentionMs;
    public final long retentionBytes;
    public final long flushMessages;
    public final long flushMs;
    public final long fileDeleteDelayMs;
    public final boolean delete;
    public final boolean compact;
    public final TimestampType timestampType;
    public final long timestampBeforeMaxMs;
    public final long timestampAfterMaxMs;
    public final int maxMessageBytes;
    public final boolean preallocate;
    public final String compressionType;
    /** The codec batches are stored with, or -1 to keep the producer's (compression.type=producer). */
    public final int targetCodec;
    /** delete.retention.ms: how long tombstones and removable markers stay after the cleaner first passes them. */
    public final long deleteRetentionMs;
    /** min.cleanable.dirty.ratio */
    public final double minCleanableDirtyRatio;
    /** min.compaction.lag.ms */
    public final long minCompactionLagMs;
    /** max.compaction.lag.ms */
    public final long maxCompactionLagMs;

    private final int gzipLevel;
    private final int lz4Level;
    private final int zstdLevel;
    private final ValidationRules validationRules;

    private LogConfig(Map<String, String> base, Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        v.putAll(base);
        v.putAll(overrides);
        this.values = Collections.unmodifiableMap(v);
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        segmentBytes = intAtLeast(v, SEGMENT_BYTES, 14);
        segmentMs = longAtLeast(v, SEGMENT_MS, 1);
        segmentJitterMs = longAtLeast(v, SEGMENT_JITTER_MS, 0);
        maxIndexSize = intAtLeast(v, SEGMENT_INDEX_BYTES, 4);
        indexIntervalBytes = intAtLeast(v, INDEX_INTERVAL_BYTES, 0);
        retentionMs = longAtLeast(v, RETENTION_MS, -1);
        retentionBytes = longValue(v, RETENTION_BYTES);
        flushMessages = longAtLeast(v, FLUSH_MESSAGES, 1);
        flushMs = longAtLeast(v, FLUSH_MS, 0);
        fileDeleteDelayMs = longAtLeast(v, FILE_DELETE_DELAY_MS, 0);
        String policy = v.get(CLEANUP_POLICY).replace(" ", "");
        boolean del = false;
        boolean cmp = false;
        for (String p : policy.split(",")) {
            if (p.equals("delete")) {
                del = true;
            } else if (p.equals("compact")) {
                cmp = true;
            } else if (!p.isEmpty()) {
                throw bad(CLEANUP_POLICY, v.get(CLEANUP_POLICY));
            }
        }
        delete = del;
        compact = cmp;
        try {
            timestampType = TimestampType.forConfigName(v.get(MESSAGE_TIMESTAMP_TYPE));
        } catch (IllegalArgumentException e) {
            throw bad(MESSAGE_TIMESTAMP_TYPE, v.get(MESSAGE_TIMESTAMP_TYPE));
        }
        timestampBeforeMaxMs = longAtLeast(v, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 0);
        timestampAfterMaxMs = longAtLeast(v, MESSAGE_TIMESTAMP_AFTER_MAX_MS, 0);
        maxMessageBytes = intAtLeast(v, MAX_MESSAGE_BYTES, 0);
        preallocate = boolValue(v, PREALLOCATE);
        compressionType = v.get(COMPRESSION_TYPE);
        try {
            targetCodec = BatchRecompressor.targetCodec(compressionType);
        } catch (IllegalArgumentException e) {
            throw bad(COMPRESSION_TYPE, compressionType);
        }
        deleteRetentionMs = longAtLeast(v, DELETE_RETENTION_MS, 0);
        minCleanableDirtyRatio = ratio(v, MIN_CLEANABLE_DIRTY_RATIO);
        minCompactionLagMs = longAtLeast(v, MIN_COMPACTION_LAG_MS, 0);
        maxCompactionLagMs = longAtLeast(v, MAX_COMPACTION_LAG_MS, 1);
        gzipLevel = (int) longValue(v, "compression.gzip.level");
        lz4Level = (int) longValue(v, "compression.lz4.level");
        zstdLevel = (int) longValue(v, "compression.zstd.level");
        validationRules =
                new ValidationRules(maxMessageBytes, compact, timestampType, timestampBeforeMaxMs, timestampAfterMaxMs);
    }

    /**
     * The segment.ms that rolls apply: on a compacted topic at most max.compaction.lag.ms, so that
     * the active segment (which is never cleaned) does not hold records past that lag, as Kafka does.
     */
    public long maxSegmentMs() {
        return compact ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    }

    /** The configured level of a codec (KIP-390); snappy has none. */
    public int compressionLevel(int codec) {
        switch (codec) {
            case Codecs.GZIP:
                return gzipLevel;
            case Codecs.LZ4:
                return lz4Level;
            case Codecs.ZSTD:
                return zstdLevel;
            default:
                return 0;
        }
    }

    /** Kafka's defaults with {@code overrides} (topic config name to value) on top. */
    public static LogConfig of(Map<String, String> overrides) {
        return new LogConfig(Collections.emptyMap(), overrides);
    }

    /**
     * {@code overrides} on top of {@code defaults} (e.g. broker-level defaults such as
     * log.segment.bytes, already translated to topic config names), on top of Kafka's defaults.
     */
    public static LogConfig of(LogConfig defaults, Map<String, String> overrides) {
        return new LogConfig(defaults.values, overrides);
    }

    /** Every config with its effective value. */
    public Map<String, String> values() {
        return values;
    }

    /** The topic-level overrides this config was built with. */
    public Map<String, String> overrides() {
        return overrides;
    }

    public String get(String name) {
        return values.get(name);
    }

    /** The checks a produce to this topic passes. */
    public ValidationRules validationRules() {
        return validationRules;
    }

    private static IllegalArgumentException bad(String key, String value) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key);
    }

    private static long longValue(Map<String, String> v, String key) {
        String s = v.get(key);
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, s);
        }
    }

    private static long longAtLeast(Map<String, String> v, String key, long min) {
        long value = longValue(v, key);
        if (value < min) {
            throw new IllegalArgumentException(
                    "Invalid value " + value + " for configuration " + key + ": Value must be at least " + min);
        }
        return value;
    }

    private static int intAtLeast(Map<String, String> v, String key, int min) {
        long value = longAtLeast(v, key, min);
        if (value > Integer.MAX_VALUE) {
            throw bad(key, v.get(key));
        }
        return (int) value;
    }

    private static double ratio(Map<String, String> v, String key) {
        String s = v.get(key);
        double d;
        try {
            d = Double.parseDouble(s.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, s);
        }
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid value " + s + " for configuration " + key + ": Value must be between 0 and 1");
        }
        return d;
    }

    private static boolean boolValue(Map<String, String> v, String key) {
        String s = v.get(key).trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw bad(key, s);
    }

    @Override
    public String toString() {
        return "LogConfig" + overrides;
    }
}
