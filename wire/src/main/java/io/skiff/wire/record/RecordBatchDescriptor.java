package io.skiff.wire.record;

/**
 * Layout of a record batch, magic 2, the unit that producers send, brokers store and consumers
 * fetch. All integers are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       baseOffset (int64)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      batchLength (int32)                      |  bytes after this field
 *  +---------------------------------------------------------------+
 *  |                 partitionLeaderEpoch (int32)                  |  not covered by the CRC
 *  +---------------+-----------------------------------------------+
 *  | magic (int8)  |               crc (uint32) ...                |  CRC32C of attributes..end
 *  +---------------+---------------+-------------------------------+
 *  |  ... crc      |       attributes (int16)      | lastOffset-   |
 *  +---------------+-------------------------------+---------------+
 *  |         ... Delta (int32)                     | baseTimestamp |
 *  +-----------------------------------------------+---------------+
 *  |                 ... baseTimestamp (int64) ...                 |
 *  +---------------+-----------------------------------------------+
 *  |     ...       |          maxTimestamp (int64) ...             |
 *  +---------------+-----------------------------------------------+
 *  |                   ...          |  producerId (int64) ...      |
 *  +---------------------------------------------------------------+
 *  |      ... producerId            |     producerEpoch (int16)    |
 *  +--------------------------------+------------------------------+
 *  |                     baseSequence (int32)                      |
 *  +---------------------------------------------------------------+
 *  |                     recordsCount (int32)                      |
 *  +---------------------------------------------------------------+
 *  |                        records ...                            |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Attributes: bits 0-2 compression codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3
 * timestamp type (0 CreateTime, 1 LogAppendTime), bit 4 transactional, bit 5 control batch, bit 6
 * the delete horizon is set (baseTimestamp then holds it). Each record inside is:
 *
 * <pre>
 *  length: varint (bytes after this field)
 *  attributes: int8 (unused)
 *  timestampDelta: varlong
 *  offsetDelta: varint
 *  keyLength: varint (-1 = null), key: bytes
 *  valueLength: varint (-1 = null), value: bytes
 *  headerCount: varint, then per header: keyLength varint, key, valueLength varint (-1 = null), value
 * </pre>
 */
public final class RecordBatchDescriptor {
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BASE_OFFSET_LENGTH = 8;
    public static final int BATCH_LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
    public static final int BATCH_LENGTH_LENGTH = 4;
    /** Bytes before the batch length's count starts: baseOffset and batchLength. */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH;

    public static final int PARTITION_LEADER_EPOCH_OFFSET = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH;
    public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH;
    public static final int MAGIC_LENGTH = 1;
    /** Bytes up to and including the magic byte: what must be present to know a batch's format. */
    public static final int HEADER_SIZE_UP_TO_MAGIC = MAGIC_OFFSET + MAGIC_LENGTH;

    public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int ATTRIBUTES_LENGTH = 2;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH;
    public static final int LAST_OFFSET_DELTA_LENGTH = 4;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;
    public static final int BASE_TIMESTAMP_LENGTH = 8;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH;
    public static final int MAX_TIMESTAMP_LENGTH = 8;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH;
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    public static final int PRODUCER_EPOCH_LENGTH = 2;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
    public static final int BASE_SEQUENCE_LENGTH = 4;
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH;
    public static final int RECORDS_COUNT_LENGTH = 4;
    public static final int RECORDS_OFFSET = RECORDS_COUNT_OFFSET + RECORDS_COUNT_LENGTH;
    /** Size of the batch header, and of a batch without records. */
    public static final int HEADER_SIZE = RECORDS_OFFSET;

    /** Smallest batch length field any magic can carry (a magic-0 message); smaller is corrupt. */
    public static final int MIN_LEGACY_RECORD_OVERHEAD = 14;

    public static final byte MAGIC_V0 = 0;
    public static final byte MAGIC_V1 = 1;
    public static final byte MAGIC_V2 = 2;
    public static final byte CURRENT_MAGIC = MAGIC_V2;

    public static final int COMPRESSION_CODEC_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    public static final int CONTROL_FLAG_MASK = 0x20;
    public static final int DELETE_HORIZON_FLAG_MASK = 0x40;

    public static final long NO_TIMESTAMP = -1L;
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;

    private RecordBatchDescriptor() {}
}
