package io.skiff.coordinator.group.offsets;

import io.skiff.coordinator.record.OffsetCommitValue;
import io.skiff.wire.protocol.Uuid;

/**
 * A committed offset as an OffsetCommit record holds it, with the offset of that record in the
 * partition (which decides between a transactional and a plain commit of the same partition).
 * Immutable.
 */
public final class OffsetAndMetadata {
    public final long committedOffset;
    /** -1 when unknown. */
    public final int leaderEpoch;

    public final String metadata;
    public final long commitTimestampMs;
    /** -1 when the offset follows the group's retention (all commits since OffsetCommit v5). */
    public final long expireTimestampMs;
    /** {@link Uuid#ZERO} when unknown. */
    public final Uuid topicId;
    /** The offset of the OffsetCommit record in the {@code __consumer_offsets} partition. */
    public final long recordOffset;

    public OffsetAndMetadata(
            long recordOffset,
            long committedOffset,
            int leaderEpoch,
            String metadata,
            long commitTimestampMs,
            long expireTimestampMs,
            Uuid topicId) {
        this.recordOffset = recordOffset;
        this.committedOffset = committedOffset;
        this.leaderEpoch = leaderEpoch;
        this.metadata = metadata == null ? "" : metadata;
        this.commitTimestampMs = commitTimestampMs;
        this.expireTimestampMs = expireTimestampMs;
        this.topicId = topicId == null ? Uuid.ZERO : topicId;
    }

    static OffsetAndMetadata fromRecord(long recordOffset, OffsetCommitValue value) {
        return new OffsetAndMetadata(
                recordOffset,
                value.offset(),
                value.leaderEpoch(),
                value.metadata(),
                value.commitTimestamp(),
                value.expireTimestamp(),
                value.topicId());
    }

    @Override
    public String toString() {
        return "OffsetAndMetadata(offset=" + committedOffset + ", leaderEpoch=" + leaderEpoch + ", metadata=" + metadata
                + ", commitTimestampMs=" + commitTimestampMs + ", expireTimestampMs=" + expireTimestampMs
                + ", recordOffset=" + recordOffset + ")";
    }
}
