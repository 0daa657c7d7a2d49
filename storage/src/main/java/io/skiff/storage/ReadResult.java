package io.skiff.storage;

import io.skiff.wire.protocol.Errors;

/**
 * The answer to a read of one partition: an error (OFFSET_OUT_OF_RANGE) or records, with the
 * offsets a Fetch response reports. The records are a slice of one segment file (see
 * {@link FileRecords} for how long it stays readable). Immutable.
 */
public final class ReadResult {
    private final Errors error;
    private final FileRecords records;
    private final long highWatermark;
    private final long logStartOffset;
    private final long logEndOffset;
    private final long lastStableOffset;

    ReadResult(Errors error, FileRecords records, long highWatermark, long logStartOffset, long logEndOffset,
               long lastStableOffset) {
        this.error = error;
        this.records = records;
        this.highWatermark = highWatermark;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.lastStableOffset = lastStableOffset;
    }

    public Errors error() {
        return error;
    }

    /** The records read; null on error, empty (size 0) when there is nothing to return. */
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

    @Override
    public String toString() {
        return "ReadResult(" + error + ", " + records + ", hw=" + highWatermark + ")";
    }
}
