package io.skiff.broker.metadata;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
        long position = scan(channel, path, into);
        records = into.size();
        if (position < size) {
            LOG.warn("Truncating {} bytes of torn or corrupt metadata at the end of {}", size - position, path);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
    }

    /**
     * Reads the complete, intact records of {@code channel} into {@code into}, from its start;
     * returns the position where they end (a torn or corrupt tail starts there). Reads only.
     */
    private static long scan(FileChannel channel, Path path, List<MetadataRecord> into) throws IOException {
        long size = channel.size();
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(8);
        while (position + 8 <= size) {
            header.clear();
            readFully(channel, path, header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 2 || length > MAX_RECORD_BYTES || position + 8 + length > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(channel, path, body, position + 8);
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
        }
        return position;
    }

    private static void readFully(FileChannel channel, Path path, ByteBuffer buf, long position) throws IOException {
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
        writeFrames(channel, batch);
        channel.force(false);
        records += batch.size();
    }

    private static void writeFrames(FileChannel channel, List<MetadataRecord> batch) throws IOException {
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
    }

    /**
     * The number of intact records in the log in {@code dir}; 0 when there is no log. Reads
     * only: a torn tail is left for {@link #open} to cut.
     */
    static long recordCount(Path dir) throws IOException {
        Path path = dir.resolve(FILE_NAME);
        if (!Files.exists(path)) {
            return 0;
        }
        List<MetadataRecord> records = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            scan(ch, path, records);
        }
        return records.size();
    }

    /**
     * Creates the log in {@code dir} holding {@code initial}, all or nothing: the records are
     * written and fsynced to a temporary file that then replaces the log atomically, so a crash
     * leaves either no record or all of them. The log must hold no intact record yet.
     */
    static void create(Path dir, List<MetadataRecord> initial) throws IOException {
        if (recordCount(dir) > 0) {
            throw new IOException("the metadata log in " + dir + " is not empty");
        }
        Path path = dir.resolve(FILE_NAME);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            writeFrames(ch, initial);
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
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
