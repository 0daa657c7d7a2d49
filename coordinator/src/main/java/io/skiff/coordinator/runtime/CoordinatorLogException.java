package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;

/** Why a {@link CoordinatorLog} append failed, as a protocol error. */
public final class CoordinatorLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errors error;

    public CoordinatorLogException(Errors error, String message) {
        super(message);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
