package io.skiff.broker.partition;

import io.skiff.wire.protocol.Errors;

/** An acks=all append that this node can no longer commit (it stopped leading the partition). */
public final class NotCommittedException extends RuntimeException {
    private final Errors error;

    public NotCommittedException(Errors error) {
        super(error.name(), null, false, false);
        this.error = error;
    }

    /** The error the producer gets for the append. */
    public Errors error() {
        return error;
    }
}
