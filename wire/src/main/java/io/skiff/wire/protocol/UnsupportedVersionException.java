package io.skiff.wire.protocol;

/** A message cannot be written at the requested version. */
public final class UnsupportedVersionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedVersionException(String message) {
        super(message);
    }
}
