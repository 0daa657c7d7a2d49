package io.skiff.wire.record;

/**
 * What a partition accepts from producers: the topic configs that {@link BatchValidator} checks
 * (max.message.bytes, cleanup.policy compact, message.timestamp.type and the
 * message.timestamp.before/after.max.ms window). Immutable.
 */
public final class ValidationRules {
    private final int maxMessageBytes;
    private final boolean compacted;
    private final TimestampType timestampType;
    private final long timestampBeforeMaxMs;
    private final long timestampAfterMaxMs;

    public ValidationRules(
            int maxMessageBytes,
            boolean compacted,
            TimestampType timestampType,
            long timestampBeforeMaxMs,
            long timestampAfterMaxMs) {
        this.maxMessageBytes = maxMessageBytes;
        this.compacted = compacted;
        this.timestampType = timestampType;
        this.timestampBeforeMaxMs = timestampBeforeMaxMs;
        this.timestampAfterMaxMs = timestampAfterMaxMs;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public boolean compacted() {
        return compacted;
    }

    public TimestampType timestampType() {
        return timestampType;
    }

    public long timestampBeforeMaxMs() {
        return timestampBeforeMaxMs;
    }

    public long timestampAfterMaxMs() {
        return timestampAfterMaxMs;
    }
}
