package io.skiff.broker.metadata.kraft;

import java.io.IOException;

/**
 * An Apache Kafka log directory that Skiff cannot open in place: its KRaft metadata is
 * unreadable, from a newer Kafka, or holds state that Skiff would serve unsafely (ACLs). Start-up
 * stops with the message, which says what was found and what to do.
 */
public final class KraftMigrationException extends IOException {
    private static final long serialVersionUID = 1L;

    public KraftMigrationException(String message) {
        super(message);
    }

    public KraftMigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
