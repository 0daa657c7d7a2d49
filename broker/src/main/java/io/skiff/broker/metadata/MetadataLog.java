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
 * mid-append: nothing valid follows the first bad frame) is cut off; a bad frame followed by a
 * valid one is damage in the middle, and opening fails with a message naming the file, the
 * position and the record offset, since dropping what follows would silently lose topics. Not thread-safe: the
 * {@link MetadataManager} is its only user, on its own thread.
 */
final class MetadataLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataLog.class);
    static final String FILE_NAME = "skiff-metadata.log";
    private static final int MAX_RECORD_BYTES = 1 << 20;
    private static final int MIN_RECORD_BYTES = 2;
    private static final int FRAME_HEADER_BYTES = 8;

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
        FileChannel ch =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        MetadataLog log = new MetadataLog(path, ch);
        log.load(into);
        return log;
    }

    private void load(List<MetadataRecord> into) throws IOException {
        long size = channel.size();
        Scan scan = scan(channel, path, into);
        records = scan.records;
        long position = scan.position;
        if (position < size) {
            long validAfter = firstValidFrameAfter(channel, path, position, size);
            if (validAfter >= 0) {
                throw new IOException("Metadata log " + path + " is corrupt at position " + position
                        + " (record offset "
                        + records + ": " + scan.invalid + ") and a valid record follows at position " + validAfter
                        + ". Refusing to start: dropping the records after the corruption would lose topics. Restore the "
                        + "file, or truncate it to " + position + " bytes to give up every record from offset "
                        + records
                        + " on.");
            }
            LOG.warn(
                    "Truncating {} bytes of torn or corrupt metadata at the end of {} (record offset {}: {})",
                    size - position,
                    path,
                    records,
                    scan.invalid);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
    }

    /** Where a scan stopped: the end of the intact records, how many, and why it stopped short of the file's end. */
    private static final class Scan {
        long position;
        long records;
        String invalid;
    }

    /**
     * Reads the complete, intact records of {@code channel} into {@code into}, from its start, and
     * says where they end (a torn or corrupt part starts there, see {@link Scan#invalid}). Reads only.
     */
    private static Scan scan(FileChannel channel, Path path, List<MetadataRecord> into) throws IOException {
        long size = channel.size();
        Scan s = new Scan();
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        while (s.position < size) {
            if (s.position + FRAME_HEADER_BYTES > size) {
                s.invalid = "a frame header cut short";
                break;
            }
            header.clear();
            readFully(channel, path, header, s.position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < MIN_RECORD_BYTES
                    || length > MAX_RECORD_BYTES
                    || s.position + FRAME_HEADER_BYTES + length > size) {
                s.invalid =
                        "record length " + length + " with " + (size - s.position - FRAME_HEADER_BYTES) + " bytes left";
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(channel, path, body, s.position + FRAME_HEADER_BYTES);
            body.flip();
            if (crc32c(body) != crc) {
                s.invalid = "CRC mismatch";
                break;
            }
            try {
                into.add(MetadataRecordCodec.read(Unpooled.wrappedBuffer(body)));
            } catch (RuntimeException e) {
                throw new IOException(
                        "unreadable metadata record at position " + s.position + " (offset " + s.records + ") of "
                                + path,
                        e);
            }
            s.position += FRAME_HEADER_BYTES + length;
            s.records++;
        }
        return s;
    }

    /**
     * The position of the first frame after {@code from} whose length is plausible and whose CRC
     * matches, or -1: tells a torn tail (nothing valid after the damage, e.g. a crash during an
     * append, or zeros) from damage in the middle of the log. Reads the tail into memory (the
     * metadata log is small).
     */
    private static long firstValidFrameAfter(FileChannel channel, Path path, long from, long size) throws IOException {
        long tailLength = size - from;
        if (tailLength > Integer.MAX_VALUE) {
            return from + 1;
        }
        ByteBuffer tail = ByteBuffer.allocate((int) tailLength);
        readFully(channel, path, tail, from);
        tail.flip();
        for (int at = 1; at + FRAME_HEADER_BYTES <= tail.limit(); at++) {
            int length = tail.getInt(at);
            if (length < MIN_RECORD_BYTES
                    || length > MAX_RECORD_BYTES
                    || (long) at + FRAME_HEADER_BYTES + length > tail.limit()) {
                continue;
            }
            ByteBuffer body = tail.duplicate();
            body.position(at + FRAME_HEADER_BYTES).limit(at + FRAME_HEADER_BYTES + length);
            if (crc32c(body) == tail.getInt(at + 4)) {
                return from + at;
            }
        }
        return -1;
    }

    private static int crc32c(ByteBuffer body) {
        CRC32C c = new CRC32C();
        c.update(body.duplicate());
        return (int) c.getValue();
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
            ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER_BYTES + b.remaining());
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
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
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
