package io.skiff.storage;

import io.skiff.wire.protocol.Errors;

/** The answer to DeleteRecords for one partition: an error, or the new low watermark (log start offset). Immutable. */
public final class DeleteRecordsResult {
    private final Errors error;
    private final long lowWatermark;

    DeleteRecordsResult(Errors error, long lowWatermark) {
        this.error = error;
        this.lowWatermark = lowWatermark;
    }

    public Errors error() {
        return error;
    }

    /** The log start offset after the call, -1 on error. */
    public long lowWatermark() {
        return lowWatermark;
    }

    @Override
    public String toString() {
        return "DeleteRecordsResult(" + error + ", lowWatermark=" + lowWatermark + ")";
    }
}
