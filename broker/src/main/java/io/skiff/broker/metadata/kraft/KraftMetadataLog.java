package io.skiff.broker.metadata.kraft;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.RecordView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the KRaft metadata log of an Apache Kafka log directory ({@code __cluster_metadata-0}),
 * read-only: the latest complete snapshot ({@code <20-digit end offset>-<10-digit epoch>.checkpoint},
 * record batches holding the image at that offset), then the records of the log segments
 * ({@code <20-digit base offset>.log}) from the snapshot's end offset on. Control batches (leader
 * changes, voters, snapshot header and footer) are skipped. Each data record's value, a metadata
 * record frame, goes to a {@link RecordHandler}.
 *
 * <p>Files are opened for reading only; nothing in the directory is created, changed or locked.
 * A torn or corrupt batch at the end of the last segment (a crash mid-append) ends the log there,
 * as Kafka's own recovery would; anything else unreadable (a corrupt batch before the last
 * segment's tail, a gap in the offsets, a corrupt snapshot) is a {@link KraftMigrationException}.
 * Stateless; the static methods are thread-safe.
 */
public final class KraftMetadataLog {
    /** The directory of the KRaft metadata partition inside a log directory. */
    public static final String DIR_NAME = "__cluster_metadata-0";
    /** Kafka never writes a metadata batch larger than 8 MiB; anything larger is corruption. */
    static final int MAX_BATCH_BYTES = 8 << 20;
    /** A bound on a decompressed batch (decompression bombs). */
    static final int MAX_DECOMPRESSED_BYTES = 64 << 20;

    private static final Pattern SNAPSHOT = Pattern.compile("(\\d{20})-(\\d{10})\\.checkpoint");
    private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.log");

    /** Receives the value of each data record (a metadata record frame), in log order. */
    public interface RecordHandler {
        /**
         * One record. {@code offset} is its log offset, or -1 inside a snapshot. {@code value} is
         * borrowed: valid only during the call.
         */
        void onRecord(long offset, ByteBuf value) throws IOException;
    }

    /** What was read. */
    public record ReadSummary(
            String snapshot,
            long snapshotEndOffset,
            long snapshotRecords,
            long logRecords,
            long nextOffset,
            String tornTail) {}

    private KraftMetadataLog() {}

    /** The KRaft metadata directory of {@code logDir}, whether or not it exists. */
    public static Path dirOf(Path logDir) {
        return logDir.resolve(DIR_NAME);
    }

    /** Whether {@code logDir} holds an Apache Kafka KRaft metadata log. */
    public static boolean existsIn(Path logDir) {
        return Files.isDirectory(dirOf(logDir));
    }

    /** Reads the snapshot and log of {@code metadataDir} into {@code handler}. */
    public static ReadSummary read(Path metadataDir, RecordHandler handler) throws IOException {
        Path snapshot = latestSnapshot(metadataDir);
        long snapshotEnd = 0;
        long snapshotRecords = 0;
        if (snapshot != null) {
            Matcher m = SNAPSHOT.matcher(snapshot.getFileName().toString());
            if (!m.matches()) {
                throw new IllegalStateException("not a snapshot: " + snapshot);
            }
            snapshotEnd = Long.parseLong(m.group(1));
            FileOutcome o = readFile(snapshot, -1, Long.MIN_VALUE, handler);
            if (o.corruptAt >= 0) {
                throw new KraftMigrationException(
                        "The KRaft snapshot " + snapshot + " is corrupt at position " + o.corruptAt + ": " + o.problem);
            }
            snapshotRecords = o.records;
        }
        List<Path> segments = segments(metadataDir);
        long next = snapshotEnd;
        long logRecords = 0;
        String torn = null;
        for (int i = 0; i < segments.size(); i++) {
            Path segment = segments.get(i);
            FileOutcome o = readFile(segment, next, snapshotEnd, handler);
            if (o.gapFrom >= 0) {
                throw new KraftMigrationException(
                        "The KRaft metadata log " + metadataDir + " lacks the records from offset " + o.gapFrom + " ("
                                + segment.getFileName() + " continues at " + o.gapTo + ")");
            }
            logRecords += o.records;
            next = Math.max(next, o.nextOffset);
            if (o.corruptAt >= 0) {
                if (i != segments.size() - 1) {
                    throw new KraftMigrationException(
                            "The KRaft metadata segment " + segment + " is corrupt at position " + o.corruptAt + " ("
                                    + o.problem + ") and later segments follow it");
                }
                torn = segment.getFileName() + " from position " + o.corruptAt + " (" + o.problem + ")";
            }
        }
        return new ReadSummary(
                snapshot == null ? null : snapshot.getFileName().toString(),
                snapshotEnd,
                snapshotRecords,
                logRecords,
                next,
                torn);
    }

    /** The complete snapshot with the highest end offset (then epoch), or null. */
    static Path latestSnapshot(Path metadataDir) throws IOException {
        Path best = null;
        long bestOffset = -1;
        long bestEpoch = -1;
        try (Stream<Path> files = Files.list(metadataDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long offset = Long.parseLong(m.group(1));
                long epoch = Long.parseLong(m.group(2));
                if (offset > bestOffset || (offset == bestOffset && epoch > bestEpoch)) {
                    best = p;
                    bestOffset = offset;
                    bestEpoch = epoch;
                }
            }
        }
        return best;
    }

    /** The log segments in base-offset order. */
    static List<Path> segments(Path metadataDir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(metadataDir)) {
            files.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** How reading one file ended. */
    private static final class FileOutcome {
        long records;
        long nextOffset;
        long corruptAt = -1;
        String problem;
        long gapFrom = -1;
        long gapTo = -1;
    }

    /**
     * Reads the batches of one file. For the log ({@code expectedOffset >= 0}) records below
     * {@code fromOffset} are skipped and a batch that starts after {@code expectedOffset} while
     * records before it are still missing is a gap.
     */
    private static FileOutcome readFile(Path file, long expectedOffset, long fromOffset, RecordHandler handler)
            throws IOException {
        FileOutcome out = new FileOutcome();
        out.nextOffset = expectedOffset;
        RecordBatch batch = new RecordBatch();
        RecordView view = new RecordView();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long position = 0;
            ByteBuffer header = ByteBuffer.allocate(RecordBatchDescriptor.LOG_OVERHEAD);
            while (position < size) {
                if (size - position < RecordBatchDescriptor.LOG_OVERHEAD) {
                    return corrupt(out, position, "a partial batch header");
                }
                header.clear();
                readFully(ch, header, position);
                header.flip();
                long baseOffset = header.getLong();
                int batchLength = header.getInt();
                int total = RecordBatchDescriptor.LOG_OVERHEAD + batchLength;
                if (batchLength < RecordBatchDescriptor.HEADER_SIZE - RecordBatchDescriptor.LOG_OVERHEAD
                        || batchLength > MAX_BATCH_BYTES) {
                    return corrupt(out, position, "a batch length of " + batchLength);
                }
                if (size - position < total) {
                    return corrupt(out, position, "a partial batch");
                }
                ByteBuffer bytes = ByteBuffer.allocate(total);
                readFully(ch, bytes, position);
                ByteBuf buf = Unpooled.wrappedBuffer(bytes.array());
                try {
                    batch.wrap(buf, 0);
                    if (batch.magic() != 2) {
                        return corrupt(out, position, "record batch magic " + batch.magic());
                    }
                    if (!batch.isValid()) {
                        return corrupt(out, position, "a CRC mismatch");
                    }
                    if (expectedOffset >= 0 && batch.lastOffset() >= out.nextOffset && baseOffset > out.nextOffset) {
                        out.gapFrom = out.nextOffset;
                        out.gapTo = baseOffset;
                        return out;
                    }
                    if (expectedOffset >= 0) {
                        out.nextOffset = Math.max(out.nextOffset, batch.nextOffset());
                    }
                    if (!batch.isControl() && (expectedOffset < 0 || batch.lastOffset() >= fromOffset)) {
                        String bad = records(batch, view, fromOffset, expectedOffset >= 0, handler, out);
                        if (bad != null) {
                            return corrupt(out, position, bad);
                        }
                    }
                } finally {
                    buf.release();
                }
                position += total;
            }
        }
        return out;
    }

    /** Hands the records of one data batch to {@code handler}; returns why the batch is unreadable, or null. */
    private static String records(
            RecordBatch batch, RecordView view, long fromOffset, boolean isLog, RecordHandler handler, FileOutcome out)
            throws IOException {
        ByteBuf records;
        int start;
        int limit;
        ByteBuf decompressed = null;
        if (batch.isCompressed()) {
            try {
                decompressed = decompress(batch);
            } catch (IOException | RuntimeException e) {
                return "undecompressible records: " + e.getMessage();
            }
            records = decompressed;
            start = 0;
            limit = decompressed.writerIndex();
        } else {
            records = batch.buffer();
            start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
            limit = batch.offset() + batch.sizeInBytes();
        }
        try {
            int position = start;
            for (int i = 0; i < batch.recordsCount(); i++) {
                int size = view.parse(records, position, limit);
                if (size < 0) {
                    return view.failure();
                }
                position += size;
                long offset = batch.baseOffset() + view.offsetDelta();
                if (isLog && offset < fromOffset) {
                    continue;
                }
                if (view.valueLength() < 0) {
                    return "a record without a value at offset " + offset;
                }
                handler.onRecord(isLog ? offset : -1, records.slice(view.valueOffset(), view.valueLength()));
                out.records++;
            }
            return null;
        } finally {
            if (decompressed != null) {
                decompressed.release();
            }
        }
    }

    private static ByteBuf decompress(RecordBatch batch) throws IOException {
        int start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int length = batch.sizeInBytes() - RecordBatchDescriptor.RECORDS_OFFSET;
        ByteBuf out = Unpooled.buffer(Math.min(length * 4, MAX_DECOMPRESSED_BYTES));
        try (InputStream in =
                Codecs.decompress(batch.compressionCodecId(), batch.buffer().slice(start, length))) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (out.writerIndex() + n > MAX_DECOMPRESSED_BYTES) {
                    throw new IOException("more than " + MAX_DECOMPRESSED_BYTES + " bytes once decompressed");
                }
                out.writeBytes(chunk, 0, n);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static FileOutcome corrupt(FileOutcome out, long position, String problem) {
        out.corruptAt = position;
        out.problem = problem;
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }
}
