package io.skiff.storage;

/**
 * Layouts of the two segment index files (big-endian, fixed-size entries, sorted).
 *
 * <pre>
 *  .index (offset index): offset to file position
 *  +--------------------------------+--------------------------------+
 *  |  relativeOffset (int32)        |  position (int32)              |
 *  +--------------------------------+--------------------------------+
 *
 *  .timeindex (time index): timestamp to offset
 *  +----------------------------------------------------------------+--------------------------------+
 *  |  timestamp (int64)                                             |  relativeOffset (int32)        |
 *  +----------------------------------------------------------------+--------------------------------+
 * </pre>
 *
 * relativeOffset is the offset minus the segment's base offset. Files are preallocated to
 * segment.index.bytes (rounded down to a whole entry) while their segment is active and trimmed
 * to their entries when it is rolled or closed.
 */
public final class IndexDescriptor {
    public static final int OFFSET_RELATIVE_OFFSET_OFFSET = 0;
    public static final int OFFSET_RELATIVE_OFFSET_LENGTH = 4;
    public static final int OFFSET_POSITION_OFFSET = OFFSET_RELATIVE_OFFSET_OFFSET + OFFSET_RELATIVE_OFFSET_LENGTH;
    public static final int OFFSET_POSITION_LENGTH = 4;
    public static final int OFFSET_ENTRY_SIZE = OFFSET_POSITION_OFFSET + OFFSET_POSITION_LENGTH;

    public static final int TIME_TIMESTAMP_OFFSET = 0;
    public static final int TIME_TIMESTAMP_LENGTH = 8;
    public static final int TIME_RELATIVE_OFFSET_OFFSET = TIME_TIMESTAMP_OFFSET + TIME_TIMESTAMP_LENGTH;
    public static final int TIME_RELATIVE_OFFSET_LENGTH = 4;
    public static final int TIME_ENTRY_SIZE = TIME_RELATIVE_OFFSET_OFFSET + TIME_RELATIVE_OFFSET_LENGTH;

    private IndexDescriptor() {}
}
