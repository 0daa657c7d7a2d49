package io.skiff.storage;

import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batch headers (never batch data) from a segment file with positional reads into a small
 * buffer, and exposes them through a {@link RecordBatch} flyweight. One per thread (see {@link
 * #get()}); not thread-safe itself.
 */
final class BatchHeaderReader {
    private static final ThreadLocal<BatchHeaderReader> PER_THREAD = ThreadLocal.withInitial(BatchHeaderReader::new);

    private final ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
    private final ByteBuf wrapper = Unpooled.wrappedBuffer(header);
    final RecordBatch batch = new RecordBatch();

    static BatchHeaderReader get() {
        return PER_THREAD.get();
    }

    /**
     * Reads the header of the batch at {@code position}; returns false when fewer than a header's
     * bytes remain before {@code end}. The flyweight then answers for header fields only.
     */
    boolean read(FileChannel channel, long position, long end) throws IOException {
        if (end - position < HEADER_SIZE) {
            return false;
        }
        header.clear();
        while (header.hasRemaining()) {
            int n = channel.read(header, position + header.position());
            if (n < 0) {
                return false;
            }
        }
        batch.wrap(wrapper, 0);
        return true;
    }
}
