package io.skiff.wire.protocol;

/** Bytes that do not form a valid message: bad length, null where not allowed, bad tagged field. */
public final class MessageParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MessageParseException(String message) {
        super(message);
    }
}
