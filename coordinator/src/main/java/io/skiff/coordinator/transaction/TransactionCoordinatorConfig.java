package io.skiff.coordinator.transaction;

import java.util.Map;

/**
 * The transaction coordinator's settings, with Apache Kafka's property names and defaults. Built
 * once at start-up by {@link #fromProperties(Map)}, which rejects a bad value with a message naming
 * the key and the value. Immutable.
 */
public final class TransactionCoordinatorConfig {
    public static final String TRANSACTION_STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String TRANSACTION_MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS =
            "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS =
            "transaction.remove.expired.transaction.cleanup.interval.ms";
    /** The largest batch a coordinator partition accepts (the broker's default for max.message.bytes). */
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";

    /** Threads of the transaction coordinator's shards (not a Kafka setting). */
    public static final int THREADS = 2;
    /** The first wait before markers that failed are written again; it doubles up to the maximum. */
    public static final long MARKER_RETRY_BACKOFF_MS = 100L;

    public static final long MARKER_RETRY_BACKOFF_MAX_MS = 10_000L;

    private final int partitions;
    private final int maxTimeoutMs;
    private final long transactionalIdExpirationMs;
    private final long abortTimedOutIntervalMs;
    private final long removeExpiredIntervalMs;
    private final int maxMessageBytes;

    private TransactionCoordinatorConfig(
            int partitions,
            int maxTimeoutMs,
            long transactionalIdExpirationMs,
            long abortTimedOutIntervalMs,
            long removeExpiredIntervalMs,
            int maxMessageBytes) {
        this.partitions = partitions;
        this.maxTimeoutMs = maxTimeoutMs;
        this.transactionalIdExpirationMs = transactionalIdExpirationMs;
        this.abortTimedOutIntervalMs = abortTimedOutIntervalMs;
        this.removeExpiredIntervalMs = removeExpiredIntervalMs;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The settings of {@code props} (Kafka's defaults for keys it lacks). */
    public static TransactionCoordinatorConfig fromProperties(Map<String, String> props) {
        return new TransactionCoordinatorConfig(
                (int) value(props, TRANSACTION_STATE_LOG_NUM_PARTITIONS, 50, 1, Integer.MAX_VALUE),
                (int) value(props, TRANSACTION_MAX_TIMEOUT_MS, 900_000, 1, Integer.MAX_VALUE),
                value(props, TRANSACTIONAL_ID_EXPIRATION_MS, 604_800_000L, 1, Integer.MAX_VALUE),
                value(props, ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS, 10_000L, 1, Integer.MAX_VALUE),
                value(props, REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS, 3_600_000L, 1, Integer.MAX_VALUE),
                (int) value(props, MESSAGE_MAX_BYTES, 1_048_588, 0, Integer.MAX_VALUE));
    }

    private static long value(Map<String, String> props, String key, long defaultValue, long min, long max) {
        String raw = props.get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + raw + " for " + key + ": not a number");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    "Invalid value " + raw + " for " + key + ": must be between " + min + " and " + max);
        }
        return v;
    }

    /** Partitions of {@code __transaction_state}. */
    public int partitions() {
        return partitions;
    }

    /** The longest transaction timeout a producer may ask for. */
    public int maxTimeoutMs() {
        return maxTimeoutMs;
    }

    /** How long a transactional id may stay idle before it is removed. */
    public long transactionalIdExpirationMs() {
        return transactionalIdExpirationMs;
    }

    /** How often transactions past their timeout are looked for and aborted. */
    public long abortTimedOutIntervalMs() {
        return abortTimedOutIntervalMs;
    }

    /** How often expired transactional ids are looked for and removed. */
    public long removeExpiredIntervalMs() {
        return removeExpiredIntervalMs;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }
}
