package io.skiff.storage;

import java.io.IOException;

/**
 * Bytes of a segment that cannot be a record batch were met on a read: a segment that was
 * trusted at start-up (a clean shutdown, or below the recovery point) is corrupt there. The read
 * fails with {@link ReadOutcome#CORRUPT_MESSAGE}, as Apache Kafka's fetch fails with
 * CORRUPT_MESSAGE; nothing is dropped. Immutable.
 */
final class CorruptRecordsException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptRecordsException(String message) {
        super(message);
    }
}
