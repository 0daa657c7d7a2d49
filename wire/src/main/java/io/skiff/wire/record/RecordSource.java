package io.skiff.wire.record;

/**
 * Yields the records of one batch into a {@link RecordView}, one at a time, without allocating
 * per record. {@link UncompressedRecordSource} reads records in place; a decompressing source
 * (gzip, snappy, lz4, zstd) plugs in here and hands out views over its decompressed bytes.
 * Not thread-safe.
 */
public interface RecordSource {
    /**
     * Prepares to read the records of {@code batch} (borrowed, must stay valid until the last
     * {@link #next}). Returns false when this source cannot read the batch (e.g. its codec).
     */
    boolean open(RecordBatch batch);

    /**
     * Parses the next record into {@code view}; false when the remaining bytes do not start a
     * well-formed record (including when none remain); {@link #failure()} then says why.
     */
    boolean next(RecordView view);

    /** True while record bytes remain after the last record read. */
    boolean hasRemaining();

    String failure();

    /** Whether the last failure came from unreadable (e.g. undecompressible) bytes rather than a bad record. */
    default boolean failureIsCorruption() {
        return false;
    }

    /** Releases what {@link #open} acquired (streams); called after the last use of a batch. */
    default void close() {}
}
