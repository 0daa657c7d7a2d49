package io.skiff.storage;

/**
 * The answer to DeleteRecords for one partition: a {@link DeleteRecordsOutcome} and, on success,
 * the new low watermark (log start offset). Immutable.
 */
public final class DeleteRecordsResult {
    private final DeleteRecordsOutcome outcome;
    private final long lowWatermark;

    DeleteRecordsResult(DeleteRecordsOutcome outcome, long lowWatermark) {
        this.outcome = outcome;
        this.lowWatermark = lowWatermark;
    }

    /** How the call ended. */
    public DeleteRecordsOutcome outcome() {
        return outcome;
    }

    /** The log start offset after the call, -1 unless {@link DeleteRecordsOutcome#SUCCESS}. */
    public long lowWatermark() {
        return lowWatermark;
    }

    @Override
    public String toString() {
        return "DeleteRecordsResult(" + outcome + ", lowWatermark=" + lowWatermark + ")";
    }
}
