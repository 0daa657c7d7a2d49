package io.skiff.wire.record;

/**
 * What {@link BatchValidator} found in a produced batch: valid, or the kind of defect. Each
 * defect corresponds to one error Apache Kafka answers for it (named on each constant); the
 * translation to protocol codes is left to the layers above, so that the partition log can
 * report its own outcomes without speaking protocol errors. Immutable.
 */
public enum ValidationOutcome {
    /** The batch may be appended. */
    VALID,
    /** Bad framing, a short batch, a CRC mismatch or a payload that does not decompress (Kafka: CORRUPT_MESSAGE). */
    CORRUPT_BATCH,
    /** A batch or record Kafka's validator refuses (Kafka: INVALID_RECORD). */
    INVALID_RECORD,
    /** A batch larger than max.message.bytes (Kafka: MESSAGE_TOO_LARGE). */
    BATCH_TOO_LARGE,
    /** A record timestamp outside the window, or a producer-set LogAppendTime (Kafka: INVALID_TIMESTAMP). */
    INVALID_TIMESTAMP,
    /** Compression codec bits naming no codec (Kafka fails these with UNKNOWN_SERVER_ERROR). */
    UNKNOWN_COMPRESSION_CODEC
}
