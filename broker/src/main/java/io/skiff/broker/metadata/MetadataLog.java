package io.skiff.broker.metadata;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster metadata log of a single node: one append-only file of framed records.
 *
 * <pre>
 *  0                   4                   8
 * +-------------------+-------------------+----------------------+
 * | length (int32)    | crc32c (int32)    | record (length bytes) |
 * +-------------------+-------------------+----------------------+
 * </pre>
 *
 * The CRC covers the record bytes. Every append is fsynced before it returns: metadata
 * changes are rare and must survive a crash. On open, a torn or corrupt tail (from a crash
 * mid-append) is cut off. Not thread-safe: the {@link MetadataManager} is its only user, on
 * its own thread.
 */
final class MetadataLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataLog.class);
    static final String FILE_NAME = "skiff-metadata.log";
    private static final int MAX_RECORD_BYTES = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private long records;

    private MetadataLog(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens (or creates) the log in {@code dir} and returns it with every record it holds. */
    static MetadataLog open(Path dir, List<MetadataRecord> into) throws IOException {
        Path path = dir.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        MetadataLog log = new MetadataLog(path, ch);
        log.load(into);
        return log;
    }

    private void load(List<MetadataRecord> into) throws IOException {
        long size = channel.size();
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(8);
        while (position + 8 <= size) {
            header.clear();
            readFully(header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 2 || length > MAX_RECORD_BYTES || position + 8 + length > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(body, position + 8);
            body.flip();
            CRC32C c = new CRC32C();
            c.update(body.duplicate());
            if ((int) c.getValue() != crc) {
                break;
            }
            try {
                into.add(MetadataRecordCodec.read(Unpooled.wrappedBuffer(body)));
            } catch (RuntimeException e) {
                throw new IOException("unreadable metadata record at position " + position + " of " + path, e);
            }
            position += 8 + length;
            records++;
        }
        if (position < size) {
            LOG.warn("Truncating {} bytes of torn or corrupt metadata at the end of {}", size - position, path);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of " + path);
            }
            p += n;
        }
    }

    /** Appends and fsyncs the records, in order. */
    void append(List<MetadataRecord> batch) throws IOException {
        List<ByteBuffer> frames = new ArrayList<>(batch.size());
        for (MetadataRecord r : batch) {
            ByteBuf body = Unpooled.buffer(64);
            MetadataRecordCodec.write(r, body);
            ByteBuffer b = body.nioBuffer();
            CRC32C c = new CRC32C();
            c.update(b.duplicate());
            ByteBuffer frame = ByteBuffer.allocate(8 + b.remaining());
            frame.putInt(b.remaining()).putInt((int) c.getValue()).put(b).flip();
            frames.add(frame);
        }
        for (ByteBuffer f : frames) {
            while (f.hasRemaining()) {
                channel.write(f);
            }
        }
        channel.force(false);
        records += batch.size();
    }

    /** Number of records in the log: the offset the next record gets. */
    long nextOffset() {
        return records;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE_NAME));
    }
}
