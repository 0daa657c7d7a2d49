package io.skiff.wire.compress;

import java.io.IOException;

/**
 * A payload decompresses to more bytes than the limit of its {@link Decompressors}: refused, but
 * not necessarily corrupt (a decompression bomb, or a payload too large for the broker).
 */
public final class DecompressionLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long limitBytes;

    public DecompressionLimitException(long limitBytes) {
        super("the payload decompresses to more than " + limitBytes + " bytes");
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
