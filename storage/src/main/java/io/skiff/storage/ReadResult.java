package io.skiff.storage;

import java.util.List;

/**
 * The answer to a read of one partition: a {@link ReadOutcome} and, on success, records, with the
 * offsets a Fetch response reports and, for read_committed, the aborted transactions. The records are a slice of one segment file (see
 * {@link FileRecords} for how long it stays readable). Immutable.
 */
public final class ReadResult {
    private final ReadOutcome outcome;
    private final FileRecords records;
    private final long highWatermark;
    private final long logStartOffset;
    private final long logEndOffset;
    private final long lastStableOffset;
    private final List<AbortedTxn> abortedTransactions;

    ReadResult(
            ReadOutcome outcome,
            FileRecords records,
            long highWatermark,
            long logStartOffset,
            long logEndOffset,
            long lastStableOffset) {
        this(outcome, records, highWatermark, logStartOffset, logEndOffset, lastStableOffset, null);
    }

    ReadResult(
            ReadOutcome outcome,
            FileRecords records,
            long highWatermark,
            long logStartOffset,
            long logEndOffset,
            long lastStableOffset,
            List<AbortedTxn> abortedTransactions) {
        this.abortedTransactions = abortedTransactions;
        this.outcome = outcome;
        this.records = records;
        this.highWatermark = highWatermark;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.lastStableOffset = lastStableOffset;
    }

    /** How the read ended. */
    public ReadOutcome outcome() {
        return outcome;
    }

    /** The records read; null unless {@link ReadOutcome#SUCCESS}, empty (size 0) when there is nothing to return. */
    public FileRecords records() {
        return records;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long lastStableOffset() {
        return lastStableOffset;
    }

    /**
     * The aborted transactions overlapping the records returned, for a read that asked for them
     * (read_committed): empty when none; null for other reads and failed ones.
     */
    public List<AbortedTxn> abortedTransactions() {
        return abortedTransactions;
    }

    @Override
    public String toString() {
        return "ReadResult(" + outcome + ", " + records + ", hw=" + highWatermark + ")";
    }
}
