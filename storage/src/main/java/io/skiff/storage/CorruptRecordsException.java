package io.skiff.storage;

import java.io.IOException;

/**
 * Bytes that cannot be a valid record batch. On a read: a segment that was trusted at start-up
 * (a clean shutdown, or below the recovery point) is corrupt there; the read fails with {@link
 * ReadOutcome#CORRUPT_MESSAGE}, as Apache Kafka's fetch fails with CORRUPT_MESSAGE, and nothing is
 * dropped. On {@link PartitionLog#appendAsFollower}: a batch of the leader's fetch response has an
 * impossible size, a magic other than 2, a CRC mismatch or impossible offsets; nothing of the
 * response is written (Kafka's fetcher logs CorruptRecordException and fetches again). Immutable.
 */
public final class CorruptRecordsException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptRecordsException(String message) {
        super(message);
    }
}
