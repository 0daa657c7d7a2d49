package io.skiff.storage;

/**
 * Layout of one entry of a segment's aborted-transaction index ({@code <20-digit base>.txnindex}),
 * Apache Kafka's format, big-endian, 34 bytes, entries back to back with no file header:
 *
 * <pre>
 *  +---------------+----------------------+----------------------+
 *  | version int16 | producerId int64     | firstOffset int64    |
 *  +---------------+----------+-----------+----------------------+
 *  | lastOffset int64         | lastStableOffset int64           |
 *  +--------------------------+----------------------------------+
 * </pre>
 *
 * {@code firstOffset} is the first offset of the aborted transaction, {@code lastOffset} the
 * offset of its abort marker, {@code lastStableOffset} the last stable offset right after the
 * marker was written (no later entry can overlap a read that ends before it).
 */
final class TxnIndexDescriptor {
    static final short VERSION = 0;

    static final int VERSION_OFFSET = 0;
    static final int VERSION_LENGTH = 2;
    static final int PRODUCER_ID_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    static final int PRODUCER_ID_LENGTH = 8;
    static final int FIRST_OFFSET_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    static final int FIRST_OFFSET_LENGTH = 8;
    static final int LAST_OFFSET_OFFSET = FIRST_OFFSET_OFFSET + FIRST_OFFSET_LENGTH;
    static final int LAST_OFFSET_LENGTH = 8;
    static final int LAST_STABLE_OFFSET_OFFSET = LAST_OFFSET_OFFSET + LAST_OFFSET_LENGTH;
    static final int LAST_STABLE_OFFSET_LENGTH = 8;
    static final int ENTRY_SIZE = LAST_STABLE_OFFSET_OFFSET + LAST_STABLE_OFFSET_LENGTH;

    private TxnIndexDescriptor() {}
}
