package io.skiff.storage;

/**
 * A follower append ({@link PartitionLog#appendAsFollower}) whose batches do not continue the log:
 * the first batch's base offset is below the log end offset (an overlap), or above it on a log
 * whose cleanup.policy does not include compact (a gap: only a compacted leader has batches
 * missing), or a later batch of the same records does not start after the previous one's last
 * offset. Nothing was written. Apache Kafka's follower throws UnexpectedAppendOffsetException or
 * OffsetsOutOfOrderException here; the broker's fetcher treats both as a failed partition (its
 * fetch position and the log disagree). Immutable.
 */
public final class UnexpectedAppendOffsetException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long firstOffset;
    private final long expectedOffset;

    UnexpectedAppendOffsetException(String message, long firstOffset, long expectedOffset) {
        super(message);
        this.firstOffset = firstOffset;
        this.expectedOffset = expectedOffset;
    }

    /** The base offset of the batch that does not fit. */
    public long firstOffset() {
        return firstOffset;
    }

    /**
     * The offset that batch had to start at (the log end offset, or the offset after the previous
     * batch); with a compacted log, the lowest it could start at.
     */
    public long expectedOffset() {
        return expectedOffset;
    }
}
