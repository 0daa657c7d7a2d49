package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * Records held in a {@link ByteBuf}. Owns one reference to that buffer: {@link #release()} gives
 * it back. Not thread-safe.
 */
public final class ByteBufRecords implements Records, ReferenceCounted {
    private final ByteBuf buffer;

    /** Takes ownership of {@code buffer} (one reference); its readable bytes are the records. */
    public ByteBufRecords(ByteBuf buffer) {
        this.buffer = buffer;
    }

    /** The records' bytes; borrowed from this object (not retained). */
    public ByteBuf buffer() {
        return buffer;
    }

    @Override
    public int sizeInBytes() {
        return buffer.readableBytes();
    }

    @Override
    public void copyTo(ByteBuf out) {
        out.writeBytes(buffer, buffer.readerIndex(), buffer.readableBytes());
    }

    @Override
    public int refCnt() {
        return buffer.refCnt();
    }

    @Override
    public ByteBufRecords retain() {
        buffer.retain();
        return this;
    }

    @Override
    public ByteBufRecords retain(int increment) {
        buffer.retain(increment);
        return this;
    }

    @Override
    public ByteBufRecords touch() {
        buffer.touch();
        return this;
    }

    @Override
    public ByteBufRecords touch(Object hint) {
        buffer.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return buffer.release();
    }

    @Override
    public boolean release(int decrement) {
        return buffer.release(decrement);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteBufRecords && buffer.equals(((ByteBufRecords) o).buffer);
    }

    @Override
    public int hashCode() {
        return buffer.hashCode();
    }

    @Override
    public String toString() {
        return "ByteBufRecords(" + buffer.readableBytes() + " bytes)";
    }
}
