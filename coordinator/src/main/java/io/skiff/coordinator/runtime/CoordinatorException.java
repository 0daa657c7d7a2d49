package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * An expected failure of a coordinator operation, carrying the protocol error (and the message
 * Kafka attaches to it where responses have an error message field). Thrown by operations before
 * they append any record; the API layer turns it into the error response of the request.
 */
public final class CoordinatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errors error;

    public CoordinatorException(Errors error) {
        this(error, null);
    }

    public CoordinatorException(Errors error, String message) {
        super(message == null ? error.message : message, null, false, false);
        this.error = error;
    }

    public Errors error() {
        return error;
    }

    /** The message to put in a response's error message field, or null if there is none. */
    public String responseMessage() {
        return getMessage() == null || getMessage().equals(error.message) ? null : getMessage();
    }

    /** The protocol error of any failure: the carried error, or UNKNOWN_SERVER_ERROR. */
    public static Errors errorOf(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof CoordinatorException) {
            return ((CoordinatorException) cause).error;
        }
        if (cause instanceof CoordinatorLogException) {
            return ((CoordinatorLogException) cause).error();
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    /** The response message of any failure, or null. */
    public static String messageOf(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof CoordinatorException ? ((CoordinatorException) cause).responseMessage() : null;
    }

    public static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
