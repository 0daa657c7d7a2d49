package io.skiff.storage;

/**
 * A producer's pending transaction verification on one partition: its {@link VerificationGuard},
 * the lowest sequence and the epoch seen among the batches waiting for it, whether the producer
 * bumps its epoch per transaction (transaction version 2), and when it was made (it expires with
 * idle producers). Mutable; guarded by the owning log's lock.
 */
final class VerificationStateEntry {
    final long timestampMs;
    final VerificationGuard guard = new VerificationGuard();
    final boolean supportsEpochBump;
    private int lowestSequence;
    private short epoch;

    VerificationStateEntry(long timestampMs, int sequence, short epoch, boolean supportsEpochBump) {
        this.timestampMs = timestampMs;
        this.lowestSequence = sequence;
        this.epoch = epoch;
        this.supportsEpochBump = supportsEpochBump;
    }

    int lowestSequence() {
        return lowestSequence;
    }

    short epoch() {
        return epoch;
    }

    /** A newer epoch replaces the lowest sequence; the same epoch keeps the lower of the two. */
    void maybeUpdateLowestSequenceAndEpoch(int sequence, short incomingEpoch) {
        if (incomingEpoch > epoch) {
            lowestSequence = sequence;
            epoch = incomingEpoch;
        } else if (incomingEpoch == epoch) {
            lowestSequence = Math.min(lowestSequence, sequence);
        }
    }
}
