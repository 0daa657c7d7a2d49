package io.skiff.storage;

/**
 * A ListOffsets answer: an offset, the timestamp found there (-1 when the query does not return
 * one), and the leader epoch of that offset (-1 when unknown). Immutable.
 */
public final class TimestampAndOffset {
    /** No record matches (ListOffsets answers offset -1, timestamp -1). */
    public static final TimestampAndOffset NOT_FOUND = new TimestampAndOffset(-1L, -1L, -1);

    private final long timestamp;
    private final long offset;
    private final int leaderEpoch;

    public TimestampAndOffset(long timestamp, long offset, int leaderEpoch) {
        this.timestamp = timestamp;
        this.offset = offset;
        this.leaderEpoch = leaderEpoch;
    }

    public long timestamp() {
        return timestamp;
    }

    public long offset() {
        return offset;
    }

    /** The leader epoch, or -1 when unknown. */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    public boolean found() {
        return offset >= 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TimestampAndOffset)) {
            return false;
        }
        TimestampAndOffset t = (TimestampAndOffset) o;
        return t.timestamp == timestamp && t.offset == offset && t.leaderEpoch == leaderEpoch;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + Long.hashCode(offset) * 7 + leaderEpoch;
    }

    @Override
    public String toString() {
        return "TimestampAndOffset(timestamp=" + timestamp + ", offset=" + offset + ", leaderEpoch=" + leaderEpoch
                + ")";
    }
}
