package io.skiff.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.record.Records;

/**
 * Receives the records fields of a message being written, so that they can be sent without
 * being copied into the message buffer (file regions, retained buffers).
 */
public interface RecordsSink {
    /**
     * Called after the length prefix of a records field has been written: {@code records}
     * belong at {@code buf.writerIndex()}, and the writer continues as if they had been written
     * there. Borrows both arguments.
     */
    void records(ByteBuf buf, Records records);
}
