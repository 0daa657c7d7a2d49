package io.skiff.storage;

import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_V2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.wire.record.DecompressingRecordSource;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.record.RecordSource;
import io.skiff.wire.record.RecordView;
import io.skiff.wire.record.TimestampType;
import io.skiff.wire.record.UncompressedRecordSource;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: a {@code .log} file of record batches starting at
 * {@link #baseOffset}, with its {@code .index}, {@code .timeindex} and {@code .txnindex} (the
 * transactions aborted by markers in this segment, see {@link TransactionIndex}).
 *
 * <p>Threading: mutations (append, recover, truncate, roll, close) are made by the owning
 * {@link PartitionLog} under its lock (or by {@link LogLoader} before the log is shared); reads ({@link #read}, lookups) run concurrently and see
 * bytes up to {@link #size()}, which is published after the bytes are written.
 */
final class LogSegment {
    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    final long baseOffset;
    private final FileChannel channel;
    private volatile File logFile;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final long rollJitterMs;
    private volatile long createdMs;

    private volatile int size;
    private int bytesSinceLastIndexEntry;
    /** Largest batch max timestamp in the segment and that batch's last offset; null until known. */
    private volatile long[] maxTimestampAndOffset;
    /** Max timestamp of the first batch, the reference for time-based rolling; -1 when unknown. */
    private long rollingBasedTimestamp = -1L;

    private boolean rollingBasedTimestampLoaded;
    private volatile boolean deleted;

    /** Answer of {@link #translateOffset} when the scanned bytes cannot be a batch. */
    static final long CORRUPT = -2L;

    private LogSegment(
            long baseOffset,
            FileChannel channel,
            File logFile,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            TransactionIndex txnIndex,
            int indexIntervalBytes,
            long rollJitterMs,
            long createdMs)
            throws IOException {
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.logFile = logFile;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.rollJitterMs = rollJitterMs;
        this.createdMs = createdMs;
        this.size = (int) Math.min(channel.size(), Integer.MAX_VALUE);
    }

    /** A random roll jitter below segment.jitter.ms (and segment.ms), 0 when jitter is off, for a new segment. */
    static long randomRollJitterMs(LogConfig config) {
        if (config.segmentJitterMs == 0) {
            return 0;
        }
        return ThreadLocalRandom.current().nextLong(Math.min(config.segmentJitterMs, config.segmentMs));
    }

    /** Opens (creating when missing) the segment files for {@code baseOffset} in {@code dir}. */
    static LogSegment open(File dir, long baseOffset, LogConfig config, long rollJitterMs, long nowMs)
            throws IOException {
        return open(dir, baseOffset, config, rollJitterMs, nowMs, "");
    }

    /**
     * Creates the files of a segment the cleaner writes: {@code <base>.log.cleaned} and its
     * {@code .index.cleaned}, {@code .timeindex.cleaned} and {@code .txnindex.cleaned} (the last one
     * created at once, empty, so that a swap always renames all four files; see {@link
     * PartitionLog#replaceSegments}). Stale files of those names are replaced.
     */
    static LogSegment openCleaned(File dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        for (String suffix : ALL_SUFFIXES) {
            Files.deleteIfExists(
                    new File(dir, LogFiles.filenamePrefix(baseOffset) + suffix + LogFiles.CLEANED_SUFFIX).toPath());
        }
        LogSegment s = open(dir, baseOffset, config, 0L, nowMs, LogFiles.CLEANED_SUFFIX);
        s.txnIndex.create();
        return s;
    }

    /** The suffixes of a segment's four files, the log file last (the order a swap renames them in). */
    static final String[] ALL_SUFFIXES = {
        LogFiles.INDEX_SUFFIX, LogFiles.TIME_INDEX_SUFFIX, LogFiles.TXN_INDEX_SUFFIX, LogFiles.LOG_SUFFIX
    };

    private static LogSegment open(
            File dir, long baseOffset, LogConfig config, long rollJitterMs, long nowMs, String extraSuffix)
            throws IOException {
        String prefix = LogFiles.filenamePrefix(baseOffset);
        File logFile = new File(dir, prefix + LogFiles.LOG_SUFFIX + extraSuffix);
        FileChannel channel = FileChannel.open(
                logFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        OffsetIndex offsetIndex = null;
        TimeIndex timeIndex = null;
        try {
            offsetIndex = new OffsetIndex(
                    new File(dir, prefix + LogFiles.INDEX_SUFFIX + extraSuffix), baseOffset, config.maxIndexSize);
            timeIndex = new TimeIndex(
                    new File(dir, prefix + LogFiles.TIME_INDEX_SUFFIX + extraSuffix), baseOffset, config.maxIndexSize);
            TransactionIndex txnIndex =
                    new TransactionIndex(new File(dir, prefix + LogFiles.TXN_INDEX_SUFFIX + extraSuffix));
            return new LogSegment(
                    baseOffset,
                    channel,
                    logFile,
                    offsetIndex,
                    timeIndex,
                    txnIndex,
                    config.indexIntervalBytes,
                    rollJitterMs,
                    nowMs);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            if (timeIndex != null) {
                timeIndex.close();
            }
            throw e;
        }
    }

    File logFile() {
        return logFile;
    }

    FileChannel channel() {
        return channel;
    }

    /** Bytes of batches in the file (published after each append). */
    int size() {
        return size;
    }

    boolean canConvertToRelativeOffset(long offset) {
        long relative = offset - baseOffset;
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    // ---------------------------------------------------------------------------------------------
    // append

    /**
     * Writes the whole batches in {@code buf[index, index + length)} (borrowed) at the end of the
     * file with a gathering write, then adds index entries every index.interval.bytes. Offsets
     * must already be assigned. Caller holds the log's lock.
     *
     * <p>All or nothing: when a write fails (ENOSPC after part of the batch went out, a failed
     * index write), the file is truncated back to where the append began and the index entries
     * and counters it added are undone before the IOException is rethrown, so {@link #size()}
     * never covers a partial batch and a later recovery finds none either.
     */
    void append(ByteBuf buf, int index, int length, RecordBatch scratch) throws IOException {
        if (length <= 0) {
            return;
        }
        int physicalPosition = size;
        long firstOffset = scratch.wrap(buf, index).baseOffset();
        long lastOffset = -1;
        for (int at = index; at < index + length; ) {
            scratch.wrap(buf, at);
            lastOffset = scratch.lastOffset();
            at += scratch.sizeInBytes();
        }
        if (!canConvertToRelativeOffset(lastOffset)) {
            throw new IllegalStateException("offset " + lastOffset + " does not fit segment " + baseOffset);
        }
        long[] maxTimestampBefore = maxTimestampAndOffset;
        int bytesSinceIndexBefore = bytesSinceLastIndexEntry;
        try {
            writeFully(buf, index, length, physicalPosition);
            indexAppended(buf, index, length, physicalPosition, scratch);
        } catch (IOException e) {
            maxTimestampAndOffset = maxTimestampBefore;
            bytesSinceLastIndexEntry = bytesSinceIndexBefore;
            undoPartialAppend(physicalPosition, firstOffset, e);
            throw e;
        }
        if (physicalPosition == 0) {
            rollingBasedTimestamp = scratch.wrap(buf, index).maxTimestamp();
            rollingBasedTimestampLoaded = true;
        }
        size = physicalPosition + length;
    }

    /** Index entries and the max timestamp for the batches just written from {@code physicalPosition}. */
    private void indexAppended(ByteBuf buf, int index, int length, int physicalPosition, RecordBatch scratch)
            throws IOException {
        for (int at = index; at < index + length; ) {
            scratch.wrap(buf, at);
            int batchSize = scratch.sizeInBytes();
            long batchMaxTimestamp = scratch.maxTimestamp();
            long batchLastOffset = scratch.lastOffset();
            if (batchMaxTimestamp > maxTimestampSoFar()) {
                maxTimestampAndOffset = new long[] {batchMaxTimestamp, batchLastOffset};
            }
            if (bytesSinceLastIndexEntry > indexIntervalBytes) {
                offsetIndex.append(batchLastOffset, physicalPosition);
                timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), false);
                bytesSinceLastIndexEntry = 0;
            }
            physicalPosition += batchSize;
            bytesSinceLastIndexEntry += batchSize;
            at += batchSize;
        }
    }

    /**
     * After a failed append: the file back to {@code position} (shrinking a file needs no free
     * space) and no index entry at or after {@code firstOffset}. A failure here is added to
     * {@code cause}; recovery at the next start-up truncates what is left.
     */
    private void undoPartialAppend(int position, long firstOffset, IOException cause) {
        try {
            offsetIndex.truncateTo(firstOffset);
            timeIndex.truncateTo(firstOffset);
            if (channel.size() > position) {
                channel.truncate(position);
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void writeFully(ByteBuf buf, int index, int length, long position) throws IOException {
        channel.position(position);
        if (buf.nioBufferCount() == 1) {
            ByteBuffer b = buf.nioBuffer(index, length);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } else {
            ByteBuffer[] parts = buf.nioBuffers(index, length);
            long left = length;
            while (left > 0) {
                left -= channel.write(parts);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // lookups

    long maxTimestampSoFar() {
        long[] m = loadMaxTimestamp();
        return m[0];
    }

    long offsetOfMaxTimestampSoFar() {
        return loadMaxTimestamp()[1];
    }

    private long[] loadMaxTimestamp() {
        long[] m = maxTimestampAndOffset;
        if (m == null) {
            m = new long[] {timeIndex.lastTimestamp(), timeIndex.lastOffset()};
            maxTimestampAndOffset = m;
        }
        return m;
    }

    /** The largest timestamp for retention: the max batch timestamp, else the file's modification time. */
    long largestTimestamp() {
        long max = maxTimestampSoFar();
        return max > 0 ? max : logFile.lastModified();
    }

    /**
     * The first batch at or after {@code startingPosition} whose last offset is {@code >= offset}:
     * its position in the high 32 bits and size in the low 32; -1 when there is none; {@link
     * #CORRUPT} when the scan meets bytes that cannot be a batch header (bad size or magic, or a
     * start position that is no batch boundary).
     */
    long translateOffset(long offset, int startingPosition) throws IOException {
        BatchHeaderReader reader = BatchHeaderReader.get();
        long end = size;
        long position = startingPosition;
        while (reader.read(channel, position, end)) {
            RecordBatch b = reader.batch;
            int batchSize = b.sizeInBytes();
            if (batchSize < HEADER_SIZE || position + batchSize > end || b.magic() != MAGIC_V2) {
                return CORRUPT;
            }
            if (b.lastOffset() >= offset) {
                return (position << 32) | batchSize;
            }
            position += batchSize;
        }
        return position == end ? -1 : CORRUPT;
    }

    /**
     * A slice of at most {@code maxSize} bytes starting at the batch holding {@code startOffset},
     * not past {@code maxPosition}; with {@code minOneBatch} the first batch is whole even when
     * larger than {@code maxSize}. Null when the offset is beyond this segment's batches.
     */
    FileRecords read(long startOffset, int maxSize, long maxPosition, boolean minOneBatch) throws IOException {
        int startPosition = offsetIndex.lookupPosition(startOffset);
        long found = translateOffset(startOffset, startPosition);
        if (found == CORRUPT && startPosition > 0) {
            // The index may point into the middle of a batch: scan the file from its start instead.
            found = translateOffset(startOffset, 0);
        }
        if (found == CORRUPT) {
            found = translatePastCorruption(startOffset);
        }
        if (found == CORRUPT) {
            throw new CorruptRecordsException(
                    "Found an invalid batch header in " + logFile + " while looking for offset " + startOffset
                            + " (the segment was not scanned at start-up, e.g. after a clean shutdown)");
        }
        if (found < 0) {
            return null;
        }
        int position = (int) (found >>> 32);
        int batchSize = (int) found;
        int adjustedMax = minOneBatch ? Math.max(maxSize, batchSize) : maxSize;
        if (adjustedMax <= 0 || maxPosition <= position) {
            return new FileRecords(channel, position, 0);
        }
        int fetchSize = (int) Math.min(maxPosition - position, adjustedMax);
        return new FileRecords(channel, position, fetchSize);
    }

    /**
     * After a scan met a corrupt batch before the one holding {@code offset}: the first index entry
     * at or after {@code offset} points at a batch start past the damage; that batch is the answer
     * when it holds {@code offset}. {@link #CORRUPT} otherwise (the offset is in the damaged part).
     */
    private long translatePastCorruption(long offset) throws IOException {
        int position = offsetIndex.lookupPositionAtOrAfter(offset);
        if (position < 0) {
            return CORRUPT;
        }
        long found = translateOffset(offset, position);
        if (found < 0) {
            return CORRUPT;
        }
        BatchHeaderReader reader = BatchHeaderReader.get();
        if (!reader.read(channel, found >>> 32, size) || reader.batch.baseOffset() > offset) {
            return CORRUPT;
        }
        return found;
    }

    /** The offset after the last batch of this segment (its base offset when empty). */
    long readNextOffset() throws IOException {
        BatchHeaderReader reader = BatchHeaderReader.get();
        long position = offsetIndex.lookupPosition(offsetIndex.lastOffset());
        long end = size;
        long next = baseOffset;
        while (reader.read(channel, position, end)) {
            int batchSize = reader.batch.sizeInBytes();
            if (batchSize < HEADER_SIZE || position + batchSize > end) {
                break;
            }
            next = reader.batch.nextOffset();
            position += batchSize;
        }
        return next;
    }

    /** Calls {@code visitor} with the header of every batch from {@code startOffset} on (header fields only). */
    void forEachBatchHeader(long startOffset, HeaderVisitor visitor) throws IOException {
        BatchHeaderReader reader = BatchHeaderReader.get();
        long position = offsetIndex.lookupPosition(startOffset);
        long end = size;
        while (reader.read(channel, position, end)) {
            int batchSize = reader.batch.sizeInBytes();
            if (batchSize < HEADER_SIZE || position + batchSize > end) {
                break;
            }
            if (reader.batch.lastOffset() >= startOffset) {
                visitor.visit(reader.batch, position);
            }
            position += batchSize;
        }
    }

    /** Receives batch headers. */
    interface HeaderVisitor {
        void visit(RecordBatch header, long position) throws IOException;
    }

    /**
     * The first record with timestamp {@code >= timestamp} and offset {@code >= startingOffset},
     * found through the time index; null when none in this segment. Reads the batches it checks
     * (a ListOffsets path, not the fetch path). For a compressed batch, whose records are not read
     * yet, answers with the batch's max timestamp and its first offset at or after startingOffset.
     */
    TimestampAndOffset findOffsetByTimestamp(long timestamp, long startingOffset) throws IOException {
        long indexedOffset = timeIndex.lookupOffset(timestamp);
        int position = offsetIndex.lookupPosition(Math.max(indexedOffset, startingOffset));
        BatchHeaderReader reader = BatchHeaderReader.get();
        long end = size;
        long at = position;
        while (reader.read(channel, at, end)) {
            RecordBatch header = reader.batch;
            int batchSize = header.sizeInBytes();
            if (batchSize < HEADER_SIZE || at + batchSize > end) {
                return null;
            }
            if (header.maxTimestamp() >= timestamp && header.lastOffset() >= startingOffset) {
                TimestampAndOffset found = searchBatch(at, batchSize, timestamp, startingOffset);
                if (found != null) {
                    return found;
                }
            }
            at += batchSize;
        }
        return null;
    }

    private TimestampAndOffset searchBatch(long position, int batchSize, long timestamp, long startingOffset)
            throws IOException {
        ByteBuf whole = readBatch(position, batchSize);
        try {
            RecordBatch batch = new RecordBatch().wrap(whole, 0);
            int epoch = batch.partitionLeaderEpoch() >= 0 ? batch.partitionLeaderEpoch() : -1;
            // Records of compressed batches are read through the decompressor, so the answer is
            // the exact record, as for uncompressed batches.
            RecordSource source =
                    batch.isCompressed() ? new DecompressingRecordSource() : new UncompressedRecordSource();
            RecordView view = new RecordView();
            if (!source.open(batch)) {
                return null;
            }
            try {
                boolean logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
                for (int i = 0; i < batch.recordsCount() && source.next(view); i++) {
                    long ts = logAppendTime ? batch.maxTimestamp() : batch.baseTimestamp() + view.timestampDelta();
                    long offset = batch.baseOffset() + view.offsetDelta();
                    if (ts >= timestamp && offset >= startingOffset) {
                        return new TimestampAndOffset(ts, offset, epoch);
                    }
                }
                return null;
            } finally {
                source.close();
            }
        } finally {
            whole.release();
        }
    }

    /**
     * The offset of the record carrying this segment's max timestamp, with that timestamp and
     * the batch's leader epoch; null when the segment has no timestamp.
     */
    TimestampAndOffset maxTimestampRecord() throws IOException {
        long maxTs = maxTimestampSoFar();
        if (maxTs < 0 || size == 0) {
            return null;
        }
        int position = offsetIndex.lookupPosition(offsetOfMaxTimestampSoFar());
        BatchHeaderReader reader = BatchHeaderReader.get();
        long end = size;
        long at = position;
        while (reader.read(channel, at, end)) {
            int batchSize = reader.batch.sizeInBytes();
            if (batchSize < HEADER_SIZE || at + batchSize > end) {
                return null;
            }
            if (reader.batch.maxTimestamp() == maxTs) {
                ByteBuf whole = readBatch(at, batchSize);
                try {
                    RecordBatch batch = new RecordBatch().wrap(whole, 0);
                    int epoch = batch.partitionLeaderEpoch() >= 0 ? batch.partitionLeaderEpoch() : -1;
                    if (batch.isCompressed() || batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                        return new TimestampAndOffset(maxTs, batch.baseOffset(), epoch);
                    }
                    UncompressedRecordSource source = new UncompressedRecordSource();
                    RecordView view = new RecordView();
                    source.open(batch);
                    for (int i = 0; i < batch.recordsCount() && source.next(view); i++) {
                        if (batch.baseTimestamp() + view.timestampDelta() == maxTs) {
                            return new TimestampAndOffset(maxTs, batch.baseOffset() + view.offsetDelta(), epoch);
                        }
                    }
                    return null;
                } finally {
                    whole.release();
                }
            }
            at += batchSize;
        }
        return null;
    }

    /** The whole batch of {@code batchSize} bytes at {@code position}, in a new buffer the caller releases. */
    ByteBuf readBatchAt(long position, int batchSize) throws IOException {
        return readBatch(position, batchSize);
    }

    private ByteBuf readBatch(long position, int batchSize) throws IOException {
        ByteBuf whole = PooledByteBufAllocator.DEFAULT.directBuffer(batchSize);
        boolean ok = false;
        try {
            int read = 0;
            while (read < batchSize) {
                int n = whole.writeBytes(channel, position + read, batchSize - read);
                if (n < 0) {
                    throw new IOException("end of file in batch at " + position);
                }
                read += n;
            }
            ok = true;
            return whole;
        } finally {
            if (!ok) {
                whole.release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // transactions

    /** Indexes {@code txn} when it was aborted (a marker in this segment ended it). Caller holds the log's lock. */
    void updateTxnIndex(CompletedTxn txn, long lastStableOffset) throws IOException {
        if (txn.aborted()) {
            txnIndex.append(new AbortedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(), lastStableOffset));
        }
    }

    /**
     * The transactions aborted in this segment that overlap [{@code fetchOffset},
     * {@code upperBoundOffset}), added to {@code out}; true when no later segment can hold more.
     */
    boolean collectAbortedTxns(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) throws IOException {
        return txnIndex.collect(fetchOffset, upperBoundOffset, out);
    }

    /**
     * An offset above every offset of the slice of {@code sizeInBytes} bytes starting at
     * {@code startPosition} (the last offset of the first indexed batch at or after its end), or -1
     * when the index has no entry there (the caller uses the next segment's base or the log end).
     */
    long fetchUpperBoundOffset(int startPosition, int sizeInBytes) {
        return offsetIndex.offsetAtOrAfterPosition((long) startPosition + sizeInBytes);
    }

    // ---------------------------------------------------------------------------------------------
    // rolling

    boolean shouldRoll(
            int messagesSize, long maxTimestampInMessages, long maxOffsetInMessages, long nowMs, LogConfig config) {
        boolean reachedRollMs = timeWaitedForRoll(nowMs, maxTimestampInMessages) > config.maxSegmentMs() - rollJitterMs;
        int s = size;
        return s > config.segmentBytes - messagesSize
                || (s > 0 && reachedRollMs)
                || offsetIndex.isFull()
                || timeIndex.isFull()
                || !canConvertToRelativeOffset(maxOffsetInMessages);
    }

    /**
     * Whether appending {@code messagesSize} bytes with this max timestamp would probably roll the
     * segment (size, time or full indexes): a cheap estimate, read without the log's lock.
     */
    boolean mayRoll(int messagesSize, long maxTimestampInMessages, long nowMs, LogConfig config) {
        int s = size;
        return s > config.segmentBytes - messagesSize
                || (s > 0
                        && rollingBasedTimestampLoaded
                        && timeWaitedForRoll(nowMs, maxTimestampInMessages) > config.maxSegmentMs() - rollJitterMs)
                || offsetIndex.isFull()
                || timeIndex.isFull();
    }

    private long timeWaitedForRoll(long nowMs, long messageTimestamp) {
        if (!rollingBasedTimestampLoaded) {
            try {
                BatchHeaderReader reader = BatchHeaderReader.get();
                if (reader.read(channel, 0, size)) {
                    rollingBasedTimestamp = reader.batch.maxTimestamp();
                }
            } catch (IOException e) {
                rollingBasedTimestamp = -1L;
            }
            rollingBasedTimestampLoaded = true;
        }
        if (rollingBasedTimestamp >= 0) {
            return messageTimestamp - rollingBasedTimestamp;
        }
        return nowMs - createdMs;
    }

    /** Called when a newer segment becomes the active one: final time index entry, indexes trimmed. */
    void onBecomeInactive() throws IOException {
        appendFinalTimeIndexEntry();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    private void appendFinalTimeIndexEntry() throws IOException {
        long[] m = maxTimestampAndOffset;
        if (m != null && m[0] >= 0 && size > 0) {
            timeIndex.maybeAppend(m[0], m[1], true);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // recovery and truncation

    /** Receives each valid batch found while recovering (the whole batch is readable in it). */
    interface RecoveryVisitor {
        void visit(RecordBatch batch);
    }

    /**
     * Scans every batch (size sanity, magic, CRC, increasing offsets), rebuilds both indexes, and
     * truncates the file after the last valid batch. Returns the number of bytes truncated.
     */
    int recover(RecoveryVisitor visitor) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestampAndOffset = new long[] {-1L, baseOffset};
        int validBytes = 0;
        int lastIndexEntry = 0;
        long fileSize = channel.size();
        long expectedMinOffset = baseOffset;
        ByteBuf batchBuf = Unpooled.buffer(64 * 1024);
        RecordBatch batch = new RecordBatch();
        String invalid = null;
        try {
            while (invalid == null) {
                long remaining = fileSize - validBytes;
                if (remaining < LOG_OVERHEAD) {
                    invalid = remaining == 0 ? null : remaining + " bytes, less than a batch's size field";
                    break;
                }
                batchBuf.clear();
                if (!readInto(batchBuf, validBytes, headerSizeOr(remaining))) {
                    invalid = "end of file";
                    break;
                }
                int batchLength = batchBuf.getInt(BATCH_LENGTH_OFFSET);
                long batchSize = (long) batchLength + LOG_OVERHEAD;
                if (batchSize < HEADER_SIZE || batchSize > remaining) {
                    invalid = "batch size " + batchSize + " with " + remaining + " bytes left";
                    break;
                }
                if (batchBuf.getByte(MAGIC_OFFSET) != MAGIC_V2) {
                    invalid = "magic " + batchBuf.getByte(MAGIC_OFFSET);
                    break;
                }
                batchBuf.clear();
                batchBuf.ensureWritable((int) batchSize);
                if (!readInto(batchBuf, validBytes, (int) batchSize)) {
                    invalid = "end of file";
                    break;
                }
                batch.wrap(batchBuf, 0);
                invalid = invalidReason(batch, expectedMinOffset);
                if (invalid != null) {
                    break;
                }
                if (batch.maxTimestamp() > maxTimestampSoFar()) {
                    maxTimestampAndOffset = new long[] {batch.maxTimestamp(), batch.lastOffset()};
                }
                if (validBytes - lastIndexEntry > indexIntervalBytes) {
                    offsetIndex.append(batch.lastOffset(), validBytes);
                    timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), false);
                    lastIndexEntry = validBytes;
                }
                if (visitor != null) {
                    visitor.visit(batch);
                }
                expectedMinOffset = batch.lastOffset() + 1;
                validBytes += (int) batchSize;
            }
        } finally {
            batchBuf.release();
        }
        int truncated = (int) (fileSize - validBytes);
        if (truncated > 0) {
            LOG.warn(
                    "Found an invalid batch in segment {} at file position {} ({}): truncating the {} bytes from there "
                            + "on; the segment ends before offset {}",
                    logFile,
                    validBytes,
                    invalid,
                    truncated,
                    expectedMinOffset);
            channel.truncate(validBytes);
        }
        size = validBytes;
        txnIndex.truncateTo(expectedMinOffset);
        bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
        rollingBasedTimestampLoaded = false;
        offsetIndex.trimToValidSize();
        appendFinalTimeIndexEntry();
        timeIndex.trimToValidSize();
        return truncated;
    }

    /** Why a whole batch read back at recovery is invalid, or null when it is valid. */
    private String invalidReason(RecordBatch batch, long expectedMinOffset) {
        if (!batch.isValid()) {
            return "CRC mismatch";
        }
        if (batch.baseOffset() < expectedMinOffset) {
            return "base offset " + batch.baseOffset() + " below " + expectedMinOffset;
        }
        if (batch.lastOffsetDelta() < 0 || !canConvertToRelativeOffset(batch.lastOffset())) {
            return "last offset delta " + batch.lastOffsetDelta() + " out of range";
        }
        return null;
    }

    private static int headerSizeOr(long remaining) {
        return (int) Math.min(HEADER_SIZE, remaining);
    }

    private boolean readInto(ByteBuf buf, long position, int length) throws IOException {
        int read = 0;
        while (read < length) {
            int n = buf.writeBytes(channel, position + read, length - read);
            if (n < 0) {
                return false;
            }
            read += n;
        }
        return true;
    }

    /**
     * Removes every batch whose last offset is {@code >= offset} (whole batches: a batch holding
     * {@code offset} goes entirely), and the index and transaction index entries at or after it.
     * Returns the bytes removed; {@link CorruptRecordsException} when the batch headers on the way
     * cannot be read (nothing is changed then).
     */
    int truncateTo(long offset, long nowMs) throws IOException {
        long found = translateOffset(offset, offsetIndex.lookupPosition(offset));
        if (found == CORRUPT) {
            throw new CorruptRecordsException(
                    "Found an invalid batch header in " + logFile + " while truncating it at offset " + offset);
        }
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        txnIndex.truncateTo(offset);
        if (found < 0) {
            return 0;
        }
        int position = (int) (found >>> 32);
        int removed = size - position;
        channel.truncate(position);
        size = position;
        bytesSinceLastIndexEntry = 0;
        if (position == 0) {
            createdMs = nowMs;
        }
        rollingBasedTimestampLoaded = false;
        maxTimestampAndOffset = maxTimestampAfterTruncation();
        return removed;
    }

    /**
     * The largest batch max timestamp left after a truncation, with its batch's last offset: the
     * time index's last entry covers the batches up to the last offset index entry; the few batches
     * after it are read.
     */
    private long[] maxTimestampAfterTruncation() throws IOException {
        long[] max = timeIndex.entries() == 0
                ? new long[] {-1L, baseOffset}
                : new long[] {timeIndex.lastTimestamp(), timeIndex.lastOffset()};
        BatchHeaderReader reader = BatchHeaderReader.get();
        long position = offsetIndex.lookupPosition(offsetIndex.lastOffset());
        while (reader.read(channel, position, size)) {
            RecordBatch b = reader.batch;
            int batchSize = b.sizeInBytes();
            if (batchSize < HEADER_SIZE || position + batchSize > size) {
                break;
            }
            if (b.maxTimestamp() > max[0]) {
                max = new long[] {b.maxTimestamp(), b.lastOffset()};
            }
            position += batchSize;
        }
        return max;
    }

    // ---------------------------------------------------------------------------------------------
    // durability and lifecycle

    /** Forces the log data (not necessarily metadata) to disk. */
    void fsyncData() throws IOException {
        if (!deleted) {
            channel.force(false);
        }
    }

    /** Forces the log file and both indexes to disk. */
    void flush() throws IOException {
        if (!deleted) {
            channel.force(true);
            offsetIndex.flush();
            timeIndex.flush();
            txnIndex.flush();
        }
    }

    /** Appends the final time index entry, trims the indexes and closes every file. */
    void close() throws IOException {
        if (!deleted) {
            appendFinalTimeIndexEntry();
        }
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        channel.close();
    }

    /**
     * Closes every file without writing to them (their log dir is offline): no final time index
     * entry; the indexes are only trimmed, which needs no free space. Failures are logged.
     */
    void closeWithoutWriting() {
        try {
            offsetIndex.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing {} failed: {}", offsetIndex.file(), e.toString());
        }
        try {
            timeIndex.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing {} failed: {}", timeIndex.file(), e.toString());
        }
        try {
            txnIndex.close();
        } catch (IOException e) {
            LOG.warn("Closing {} failed: {}", txnIndex.file(), e.toString());
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing {} failed: {}", logFile, e.toString());
        }
    }

    /** Renames the files with the {@code .deleted} suffix; the channel stays open for in-flight reads. */
    void renameToDeleted() throws IOException {
        deleted = true;
        File dir = logFile.getParentFile();
        File target = new File(dir, logFile.getName() + LogFiles.DELETED_SUFFIX);
        if (logFile.exists()) {
            Files.move(logFile.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        logFile = target;
        offsetIndex.renameTo(new File(dir, offsetIndex.file().getName() + LogFiles.DELETED_SUFFIX));
        timeIndex.renameTo(new File(dir, timeIndex.file().getName() + LogFiles.DELETED_SUFFIX));
        txnIndex.renameTo(new File(dir, txnIndex.file().getName() + LogFiles.DELETED_SUFFIX));
    }

    /**
     * Renames the four files from names ending in {@code fromSuffix} (after the segment suffix; ""
     * for the plain names) to names ending in {@code toSuffix}: the indexes first, the log file last,
     * so that a {@code .log} file of the new name exists only once its indexes do. Channels and
     * mappings stay open. Caller holds the log's lock (or owns the segment alone).
     */
    void changeSuffix(String fromSuffix, String toSuffix) throws IOException {
        File dir = logFile.getParentFile();
        String prefix = LogFiles.filenamePrefix(baseOffset);
        offsetIndex.renameTo(renamed(dir, prefix, LogFiles.INDEX_SUFFIX, fromSuffix, toSuffix));
        timeIndex.renameTo(renamed(dir, prefix, LogFiles.TIME_INDEX_SUFFIX, fromSuffix, toSuffix));
        txnIndex.renameTo(renamed(dir, prefix, LogFiles.TXN_INDEX_SUFFIX, fromSuffix, toSuffix));
        File target = renamed(dir, prefix, LogFiles.LOG_SUFFIX, fromSuffix, toSuffix);
        Files.move(logFile.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        logFile = target;
    }

    private static File renamed(File dir, String prefix, String kind, String fromSuffix, String toSuffix)
            throws IOException {
        File from = new File(dir, prefix + kind + fromSuffix);
        if (!from.exists()) {
            throw new IOException("missing " + from + " while renaming a segment");
        }
        return new File(dir, prefix + kind + toSuffix);
    }

    /** Closes the channel and deletes the files (after the file delete delay). */
    void closeAndDeleteFiles() throws IOException {
        deleted = true;
        channel.close();
        offsetIndex.closeAndDelete();
        timeIndex.closeAndDelete();
        txnIndex.closeAndDelete();
        Files.deleteIfExists(logFile.toPath());
    }

    boolean isDeleted() {
        return deleted;
    }

    /** Grows the indexes back to the max size (for the active segment after loading). */
    void resizeIndexes(int maxIndexSize) throws IOException {
        offsetIndex.resizeToMax(maxIndexSize);
        timeIndex.resizeToMax(maxIndexSize);
    }

    /** Checks both indexes against this log file and the next segment's base offset (Long.MAX_VALUE when none). */
    void sanityCheckIndexes(long nextBaseOffset) throws IOException {
        long logSize = channel.size();
        offsetIndex.sanityCheck(logSize, nextBaseOffset);
        timeIndex.sanityCheck(logSize, nextBaseOffset);
    }

    /**
     * Whether the batch headers from the last offset index entry on lead exactly to the end of
     * the file (sizes and magic plausible): a cheap check, at start-up, of a segment that is not
     * scanned; false means its tail (or its index) is corrupt.
     */
    boolean tailParses() throws IOException {
        BatchHeaderReader reader = BatchHeaderReader.get();
        long end = channel.size();
        long position = offsetIndex.lookupPosition(offsetIndex.lastOffset());
        while (reader.read(channel, position, end)) {
            int batchSize = reader.batch.sizeInBytes();
            if (batchSize < HEADER_SIZE || position + batchSize > end || reader.batch.magic() != MAGIC_V2) {
                return false;
            }
            position += batchSize;
        }
        return position == end;
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + size + ")";
    }

    static final long NO_TIMESTAMP = RecordBatchDescriptor.NO_TIMESTAMP;
}
