package io.skiff.storage;

/**
 * Layout of a producer state snapshot file ({@code <20-digit offset>.snapshot}), Kafka's
 * ProducerSnapshot message version 1, big-endian:
 *
 * <pre>
 *  +----------------+--------------------------------+--------------------------------+
 *  | version int16  | crc uint32 (CRC32C of the rest) | entryCount int32               |
 *  +----------------+--------------------------------+--------------------------------+
 *  then entryCount entries of 46 bytes:
 *  +----------------------+--------------+-----------------+----------------------+
 *  | producerId int64     | epoch int16  | lastSeq int32   | lastOffset int64     |
 *  +-----------------+----+--------------+-------+---------+----------------------+
 *  | offsetDelta i32 | timestamp int64           | coordinatorEpoch int32          |
 *  +-----------------+---------------------------+---------------------------------+
 *  | currentTxnFirstOffset int64 (-1 = none)     |
 *  +---------------------------------------------+
 * </pre>
 *
 * The CRC covers every byte from the entry count to the end of the file. An entry whose
 * lastOffset is negative carries no batch.
 */
final class ProducerSnapshotDescriptor {
    static final short VERSION = 1;

    static final int VERSION_OFFSET = 0;
    static final int VERSION_LENGTH = 2;
    static final int CRC_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    static final int CRC_LENGTH = 4;
    static final int ENTRY_COUNT_OFFSET = CRC_OFFSET + CRC_LENGTH;
    static final int ENTRY_COUNT_LENGTH = 4;
    static final int ENTRIES_OFFSET = ENTRY_COUNT_OFFSET + ENTRY_COUNT_LENGTH;

    static final int PRODUCER_ID_OFFSET = 0;
    static final int PRODUCER_ID_LENGTH = 8;
    static final int EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    static final int EPOCH_LENGTH = 2;
    static final int LAST_SEQUENCE_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int LAST_SEQUENCE_LENGTH = 4;
    static final int LAST_OFFSET_OFFSET = LAST_SEQUENCE_OFFSET + LAST_SEQUENCE_LENGTH;
    static final int LAST_OFFSET_LENGTH = 8;
    static final int OFFSET_DELTA_OFFSET = LAST_OFFSET_OFFSET + LAST_OFFSET_LENGTH;
    static final int OFFSET_DELTA_LENGTH = 4;
    static final int TIMESTAMP_OFFSET = OFFSET_DELTA_OFFSET + OFFSET_DELTA_LENGTH;
    static final int TIMESTAMP_LENGTH = 8;
    static final int COORDINATOR_EPOCH_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_LENGTH;
    static final int COORDINATOR_EPOCH_LENGTH = 4;
    static final int CURRENT_TXN_FIRST_OFFSET_OFFSET = COORDINATOR_EPOCH_OFFSET + COORDINATOR_EPOCH_LENGTH;
    static final int CURRENT_TXN_FIRST_OFFSET_LENGTH = 8;
    static final int ENTRY_SIZE = CURRENT_TXN_FIRST_OFFSET_OFFSET + CURRENT_TXN_FIRST_OFFSET_LENGTH;

    private ProducerSnapshotDescriptor() {}
}
