package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;

/**
 * The value of a {@code records} field: a run of record batches held somewhere (a buffer, a
 * region of a segment file). The protocol layer only needs its size and a way to copy it; the
 * network layer recognises the implementations it can send without copying.
 */
public interface Records {
    int sizeInBytes();

    /** Appends all bytes to {@code out}; borrows {@code out}. */
    void copyTo(ByteBuf out);
}
