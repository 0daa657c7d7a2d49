package io.skiff.storage;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Broker-level settings of the log manager, named after the Kafka broker configs they stand for
 * (log.dirs, log.retention.check.interval.ms, ...) with Kafka's defaults, plus Skiff's
 * skiff.log.durability. Immutable; build with {@link #builder(List)}.
 */
public final class LogManagerConfig {
    /** How acknowledged appends reach the disk. */
    public enum Durability {
        /** Kafka's default: the page cache, flushed by flush.messages / flush.ms. */
        PAGE_CACHE,
        /** The broker waits for {@link PartitionLog#awaitDurable} (group-committed fsync) before acknowledging. */
        FSYNC;

        /** Parses skiff.log.durability: "pagecache" or "fsync". */
        public static Durability parse(String value) {
            if ("fsync".equalsIgnoreCase(value)) {
                return FSYNC;
            }
            if ("pagecache".equalsIgnoreCase(value) || "page_cache".equalsIgnoreCase(value)) {
                return PAGE_CACHE;
            }
            throw new IllegalArgumentException("Invalid value " + value + " for configuration skiff.log.durability");
        }
    }

    public final List<File> logDirs;
    public final LogConfig defaultLogConfig;
    /** log.retention.check.interval.ms */
    public final long retentionCheckIntervalMs;
    /** log.flush.scheduler.interval.ms: how often flush.ms is checked. */
    public final long flushCheckIntervalMs;
    /** log.flush.offset.checkpoint.interval.ms: recovery points. */
    public final long recoveryPointCheckpointIntervalMs;
    /** log.flush.start.offset.checkpoint.interval.ms */
    public final long logStartOffsetCheckpointIntervalMs;
    /** replica.high.watermark.checkpoint.interval.ms */
    public final long highWatermarkCheckpointIntervalMs;
    /** producer.id.expiration.ms */
    public final long producerIdExpirationMs;
    /** producer.id.expiration.check.interval.ms */
    public final long producerIdExpirationCheckIntervalMs;
    /** How often removed segments and directories past their delay are deleted. */
    public final long fileDeleteCheckIntervalMs;
    /** skiff.log.durability */
    public final Durability durability;
    /** skiff.log.flush.threads.per.data.dir: the fsync threads of each log dir. */
    public final int flushThreadsPerDir;
    /** The broker epoch written in the clean shutdown marker. */
    public final long brokerEpoch;
    /** transaction.partition.verification.enable */
    public final boolean transactionVerificationEnabled;
    /** log.cleaner.enable */
    public final boolean cleanerEnable;
    /** log.cleaner.threads */
    public final int cleanerThreads;
    /** log.cleaner.dedupe.buffer.size: the offset map memory of all cleaner threads together. */
    public final long cleanerDedupeBufferSize;
    /** log.cleaner.io.buffer.size: the read and write buffers of all cleaner threads together. */
    public final int cleanerIoBufferSize;
    /** log.cleaner.io.buffer.load.factor: how full an offset map gets. */
    public final double cleanerIoBufferLoadFactor;
    /** log.cleaner.io.max.bytes.per.second */
    public final double cleanerIoMaxBytesPerSecond;
    /** log.cleaner.backoff.ms: how long a cleaner thread waits when nothing needs cleaning. */
    public final long cleanerBackoffMs;

    private LogManagerConfig(Builder b) {
        this.logDirs = Collections.unmodifiableList(new ArrayList<>(b.logDirs));
        this.defaultLogConfig = b.defaultLogConfig;
        this.retentionCheckIntervalMs = b.retentionCheckIntervalMs;
        this.flushCheckIntervalMs = b.flushCheckIntervalMs;
        this.recoveryPointCheckpointIntervalMs = b.recoveryPointCheckpointIntervalMs;
        this.logStartOffsetCheckpointIntervalMs = b.logStartOffsetCheckpointIntervalMs;
        this.highWatermarkCheckpointIntervalMs = b.highWatermarkCheckpointIntervalMs;
        this.producerIdExpirationMs = b.producerIdExpirationMs;
        this.producerIdExpirationCheckIntervalMs = b.producerIdExpirationCheckIntervalMs;
        this.fileDeleteCheckIntervalMs = b.fileDeleteCheckIntervalMs;
        this.durability = b.durability;
        this.flushThreadsPerDir = b.flushThreadsPerDir;
        this.brokerEpoch = b.brokerEpoch;
        this.transactionVerificationEnabled = b.transactionVerificationEnabled;
        this.cleanerEnable = b.cleanerEnable;
        this.cleanerThreads = b.cleanerThreads;
        this.cleanerDedupeBufferSize = b.cleanerDedupeBufferSize;
        this.cleanerIoBufferSize = b.cleanerIoBufferSize;
        this.cleanerIoBufferLoadFactor = b.cleanerIoBufferLoadFactor;
        this.cleanerIoMaxBytesPerSecond = b.cleanerIoMaxBytesPerSecond;
        this.cleanerBackoffMs = b.cleanerBackoffMs;
    }

    public static Builder builder(List<File> logDirs) {
        return new Builder(logDirs);
    }

    /** Builder with Kafka's defaults. Not thread-safe. */
    public static final class Builder {
        private final List<File> logDirs;
        private LogConfig defaultLogConfig = LogConfig.DEFAULT;
        private long retentionCheckIntervalMs = 300_000L;
        private long flushCheckIntervalMs = Long.MAX_VALUE;
        private long recoveryPointCheckpointIntervalMs = 60_000L;
        private long logStartOffsetCheckpointIntervalMs = 60_000L;
        private long highWatermarkCheckpointIntervalMs = 5_000L;
        private long producerIdExpirationMs = 86_400_000L;
        private boolean transactionVerificationEnabled = true;
        private long producerIdExpirationCheckIntervalMs = 600_000L;
        private long fileDeleteCheckIntervalMs = 1_000L;
        private Durability durability = Durability.PAGE_CACHE;
        private int flushThreadsPerDir = 4;
        private long brokerEpoch = -1L;
        private boolean cleanerEnable = true;
        private int cleanerThreads = 1;
        private long cleanerDedupeBufferSize = 134_217_728L;
        private int cleanerIoBufferSize = 524_288;
        private double cleanerIoBufferLoadFactor = 0.9;
        private double cleanerIoMaxBytesPerSecond = Double.MAX_VALUE;
        private long cleanerBackoffMs = 15_000L;

        private Builder(List<File> logDirs) {
            if (logDirs.isEmpty()) {
                throw new IllegalArgumentException("log.dirs must name at least one directory");
            }
            this.logDirs = logDirs;
        }

        public Builder defaultLogConfig(LogConfig c) {
            this.defaultLogConfig = c;
            return this;
        }

        public Builder retentionCheckIntervalMs(long v) {
            this.retentionCheckIntervalMs = positive("log.retention.check.interval.ms", v);
            return this;
        }

        public Builder flushCheckIntervalMs(long v) {
            this.flushCheckIntervalMs = positive("log.flush.scheduler.interval.ms", v);
            return this;
        }

        public Builder recoveryPointCheckpointIntervalMs(long v) {
            this.recoveryPointCheckpointIntervalMs = positive("log.flush.offset.checkpoint.interval.ms", v);
            return this;
        }

        public Builder logStartOffsetCheckpointIntervalMs(long v) {
            this.logStartOffsetCheckpointIntervalMs = positive("log.flush.start.offset.checkpoint.interval.ms", v);
            return this;
        }

        public Builder highWatermarkCheckpointIntervalMs(long v) {
            this.highWatermarkCheckpointIntervalMs = positive("replica.high.watermark.checkpoint.interval.ms", v);
            return this;
        }

        public Builder producerIdExpirationMs(long v) {
            this.producerIdExpirationMs = positive("producer.id.expiration.ms", v);
            return this;
        }

        public Builder producerIdExpirationCheckIntervalMs(long v) {
            this.producerIdExpirationCheckIntervalMs = positive("producer.id.expiration.check.interval.ms", v);
            return this;
        }

        public Builder fileDeleteCheckIntervalMs(long v) {
            this.fileDeleteCheckIntervalMs = positive("file delete check interval", v);
            return this;
        }

        public Builder durability(Durability d) {
            this.durability = d;
            return this;
        }

        /** skiff.log.flush.threads.per.data.dir (default 4). */
        public Builder flushThreadsPerDir(int v) {
            if (v < 1) {
                throw new IllegalArgumentException(
                        "Invalid value " + v + " for configuration skiff.log.flush.threads.per.data.dir");
            }
            this.flushThreadsPerDir = v;
            return this;
        }

        public Builder brokerEpoch(long e) {
            this.brokerEpoch = e;
            return this;
        }

        /** transaction.partition.verification.enable (default true). */
        public Builder transactionVerificationEnabled(boolean enabled) {
            this.transactionVerificationEnabled = enabled;
            return this;
        }

        /** log.cleaner.enable (default true). */
        public Builder cleanerEnable(boolean v) {
            this.cleanerEnable = v;
            return this;
        }

        /** log.cleaner.threads (default 1; 0 runs no cleaner thread). */
        public Builder cleanerThreads(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("Invalid value " + v + " for configuration log.cleaner.threads");
            }
            this.cleanerThreads = v;
            return this;
        }

        /** log.cleaner.dedupe.buffer.size (default 128 MiB). */
        public Builder cleanerDedupeBufferSize(long v) {
            this.cleanerDedupeBufferSize = positive("log.cleaner.dedupe.buffer.size", v);
            return this;
        }

        /** log.cleaner.io.buffer.size (default 512 KiB). */
        public Builder cleanerIoBufferSize(int v) {
            this.cleanerIoBufferSize = (int) positive("log.cleaner.io.buffer.size", v);
            return this;
        }

        /** log.cleaner.io.buffer.load.factor (default 0.9). */
        public Builder cleanerIoBufferLoadFactor(double v) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException(
                        "Invalid value " + v + " for configuration log.cleaner.io.buffer.load.factor");
            }
            this.cleanerIoBufferLoadFactor = v;
            return this;
        }

        /** log.cleaner.io.max.bytes.per.second (default unlimited). */
        public Builder cleanerIoMaxBytesPerSecond(double v) {
            if (!(v > 0)) {
                throw new IllegalArgumentException(
                        "Invalid value " + v + " for configuration log.cleaner.io.max.bytes.per.second");
            }
            this.cleanerIoMaxBytesPerSecond = v;
            return this;
        }

        /** log.cleaner.backoff.ms (default 15 s). */
        public Builder cleanerBackoffMs(long v) {
            this.cleanerBackoffMs = positive("log.cleaner.backoff.ms", v);
            return this;
        }

        public LogManagerConfig build() {
            return new LogManagerConfig(this);
        }

        private static long positive(String key, long v) {
            if (v <= 0) {
                throw new IllegalArgumentException(
                        "Invalid value " + v + " for configuration " + key + ": must be positive");
            }
            return v;
        }
    }
}
