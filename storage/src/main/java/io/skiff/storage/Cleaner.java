package io.skiff.storage;

import static io.skiff.wire.record.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.COMPRESSION_CODEC_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.DELETE_HORIZON_FLAG_MASK;
import static io.skiff.wire.record.RecordBatchDescriptor.HEADER_SIZE;
import static io.skiff.wire.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.skiff.wire.record.RecordBatchDescriptor.MAGIC_V2;
import static io.skiff.wire.record.RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.RECORDS_COUNT_OFFSET;
import static io.skiff.wire.record.RecordBatchDescriptor.RECORDS_OFFSET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.Wire;
import io.skiff.wire.record.DecompressingRecordSource;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordView;
import io.skiff.wire.record.TimestampType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans one log once (Kafka's Cleaner): the worker a {@link LogCleaner} thread runs.
 *
 * <p>Design note. A clean covers the log from its first segment up to {@code endOffset}, at most the
 * first uncleanable offset (the active segment's base, the last stable offset, the first segment
 * younger than min.compaction.lag.ms; {@link LogCleaner} computes it). First the {@link OffsetMap}
 * is filled with the latest offset of every key in the dirty part, [first dirty offset, end),
 * skipping aborted data and markers; when the map reaches its load factor the clean stops there
 * ({@code endOffset} becomes the offset after the last record mapped) and the rest waits for the
 * next pass. Then the segments below {@code endOffset} are taken in groups whose total log and index
 * sizes fit segment.bytes and segment.index.bytes, and each group is rewritten into one new segment
 * at the group's base offset: a record is kept when it is past what the map covers, or when it is
 * the latest of its key and either has a value or its batch's delete horizon has not passed;
 * keyless records go. Aborted data goes. A marker goes once no data of its transaction is left and
 * its delete horizon passed. A batch that keeps nothing but is its producer's last (idempotence
 * needs it) stays as an empty batch with its original offsets and sequence. The first time a
 * batch that keeps a tombstone or a removable marker is rewritten, it gets a delete horizon (now +
 * delete.retention.ms, Kafka's KIP-534 format: the delete-horizon attribute and the horizon as
 * base timestamp, record timestamp deltas rewritten against it). Batches that keep everything
 * and need no horizon are copied as they are; others are rebuilt with the same base offset,
 * last offset delta, producer fields and codec (compressed batches are recompressed in their
 * codec). Offsets never change. The new segment is written as {@code .cleaned} files, flushed and
 * swapped in by {@link PartitionLog#replaceSegments}; the active segment is never touched, and
 * neither appends nor reads wait except for the swap itself.
 *
 * <p>Not thread-safe: one per cleaner thread. Owns its read, write and decompression buffers
 * (heap; released by {@link #close}).
 */
final class Cleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    /** Tells the cleaner to stop (the log is being deleted, closed or the broker shuts down). */
    interface AbortCheck {
        boolean shouldAbort();
    }

    /** Thrown when an {@link AbortCheck} says stop. */
    static final class AbortedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AbortedException() {
            super("cleaning aborted", null, false, false);
        }
    }

    /** What one clean did. */
    static final class Stats {
        long bytesRead;
        long bytesWritten;
        long recordsRead;
        long recordsKept;
        long mapRecords;
        int groups;
        long endOffset;
        boolean swapFailed;

        @Override
        public String toString() {
            return "read " + bytesRead + " bytes (" + recordsRead + " records), wrote " + bytesWritten + " bytes ("
                    + recordsKept + " records) in " + groups + " segments, mapped " + mapRecords + " keys";
        }
    }

    private final OffsetMap map;
    private final int ioBufferSize;
    private final Throttler throttler;
    private final AbortCheck abortCheck;
    private final RecordBatch batch = new RecordBatch();
    private final RecordBatch scratch = new RecordBatch();
    private final RecordView view = new RecordView();
    private ByteBuf readBuf;
    private final ByteBuf writeBuf;
    private final ByteBuf plainBuf;
    private final ByteBuf recordsBuf;
    private final byte[] chunk = new byte[8192];

    Cleaner(OffsetMap map, int ioBufferSize, Throttler throttler, AbortCheck abortCheck) {
        this.map = map;
        this.ioBufferSize = Math.max(ioBufferSize, 4096);
        this.throttler = throttler;
        this.abortCheck = abortCheck;
        this.readBuf = Unpooled.buffer(this.ioBufferSize);
        this.writeBuf = Unpooled.buffer(this.ioBufferSize);
        this.plainBuf = Unpooled.buffer(this.ioBufferSize);
        this.recordsBuf = Unpooled.buffer(this.ioBufferSize);
    }

    /**
     * Cleans {@code log} from its first segment up to at most {@code firstUncleanableOffset},
     * with the dirty part starting at {@code firstDirtyOffset}; {@code nowMs} decides delete
     * horizons. Returns what it did; {@link Stats#endOffset} is the new first dirty offset (the
     * checkpoint), and {@link Stats#swapFailed} says a segment left the log meanwhile (nothing
     * more was swapped; try again later).
     */
    Stats clean(PartitionLog log, long firstDirtyOffset, long firstUncleanableOffset, long nowMs) throws IOException {
        Stats stats = new Stats();
        List<LogSegment> all = log.segmentsSnapshot();
        LogSegment active = log.activeSegment();
        long endOffset = buildOffsetMap(log, all, active, firstDirtyOffset, firstUncleanableOffset, stats);
        stats.endOffset = endOffset;
        List<List<LogSegment>> groups = groupSegments(all, active, endOffset, log.config());
        if (groups.isEmpty()) {
            return stats;
        }
        LogConfig cfg = log.config();
        Map<Long, Long> lastOfProducers = log.lastDataOffsetsOfProducers();
        CleanerTransactions txns =
                new CleanerTransactions(log.abortedTransactions(groups.get(0).get(0).baseOffset, endOffset));
        for (List<LogSegment> group : groups) {
            if (!cleanGroup(log, group, txns, lastOfProducers, cfg, nowMs, stats)) {
                stats.swapFailed = true;
                break;
            }
            stats.groups++;
        }
        return stats;
    }

    // ---------------------------------------------------------------------------------------------
    // the offset map

    /** Fills the map from the dirty part; returns the offset the clean goes up to. */
    private long buildOffsetMap(
            PartitionLog log,
            List<LogSegment> all,
            LogSegment active,
            long firstDirtyOffset,
            long upperBound,
            Stats stats)
            throws IOException {
        map.clear();
        CleanerTransactions txns = new CleanerTransactions(log.abortedTransactions(firstDirtyOffset, upperBound));
        boolean[] full = new boolean[1];
        for (int i = 0; i < all.size() && !full[0]; i++) {
            LogSegment seg = all.get(i);
            long segEnd = i + 1 < all.size() ? all.get(i + 1).baseOffset : Long.MAX_VALUE;
            if (seg == active || seg.baseOffset >= upperBound) {
                break;
            }
            if (segEnd <= firstDirtyOffset) {
                continue;
            }
            forEachBatch(seg, firstDirtyOffset, stats, b -> {
                if (b.baseOffset() >= upperBound) {
                    return false;
                }
                if (b.lastOffset() < firstDirtyOffset) {
                    return true;
                }
                if (b.isControl()) {
                    txns.onControlBatchRead(b, TxnMarkers.controlType(b));
                } else if (!txns.onBatchRead(b) && !mapBatch(b, firstDirtyOffset, stats)) {
                    full[0] = true;
                    return false;
                }
                map.updateLatestOffset(b.lastOffset());
                return true;
            });
        }
        return full[0] ? map.latestOffset() + 1 : upperBound;
    }

    /** Adds the keys of a data batch to the map; false when the map filled up in it (it covers up to the last key put). */
    private boolean mapBatch(RecordBatch b, long firstDirtyOffset, Stats stats) throws IOException {
        ByteBuf records = recordsOf(b);
        int at = records == plainBuf ? 0 : b.offset() + RECORDS_OFFSET;
        int limit = records == plainBuf ? plainBuf.writerIndex() : b.offset() + b.sizeInBytes();
        for (int i = 0; i < b.recordsCount(); i++) {
            int n = view.parse(records, at, limit);
            if (n < 0) {
                throw new CorruptRecordsException("a corrupt record in the batch at offset " + b.baseOffset());
            }
            long offset = b.baseOffset() + view.offsetDelta();
            if (offset >= firstDirtyOffset && view.hasKey()) {
                if (map.size() >= map.maxDesiredSize()) {
                    return false;
                }
                map.put(records, view.keyOffset(), view.keyLength(), offset);
                stats.mapRecords++;
            }
            at += n;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // grouping

    /**
     * The segments below {@code endOffset} (never the active one), in consecutive groups whose
     * summed log sizes fit segment.bytes, summed index sizes fit segment.index.bytes and offsets fit
     * one segment's relative offsets, as Kafka groups them.
     */
    static List<List<LogSegment>> groupSegments(
            List<LogSegment> all, LogSegment active, long endOffset, LogConfig cfg) {
        List<List<LogSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            LogSegment first = all.get(i);
            if (first == active || first.baseOffset >= endOffset) {
                break;
            }
            List<LogSegment> group = new ArrayList<>();
            group.add(first);
            long logSize = first.size();
            long offsetIndexSize = first.offsetIndex.sizeInBytes();
            long timeIndexSize = first.timeIndex.sizeInBytes();
            i++;
            while (i < all.size()) {
                LogSegment next = all.get(i);
                long nextEnd = i + 1 < all.size() ? all.get(i + 1).baseOffset : next.baseOffset;
                if (next == active
                        || next.baseOffset >= endOffset
                        || logSize + next.size() > cfg.segmentBytes
                        || offsetIndexSize + next.offsetIndex.sizeInBytes() > cfg.maxIndexSize
                        || timeIndexSize + next.timeIndex.sizeInBytes() > cfg.maxIndexSize
                        || nextEnd - 1 - first.baseOffset > Integer.MAX_VALUE) {
                    break;
                }
                group.add(next);
                logSize += next.size();
                offsetIndexSize += next.offsetIndex.sizeInBytes();
                timeIndexSize += next.timeIndex.sizeInBytes();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    // ---------------------------------------------------------------------------------------------
    // cleaning a group

    private boolean cleanGroup(
            PartitionLog log,
            List<LogSegment> group,
            CleanerTransactions txns,
            Map<Long, Long> lastOfProducers,
            LogConfig cfg,
            long nowMs,
            Stats stats)
            throws IOException {
        LogSegment cleaned = LogSegment.openCleaned(log.dir(), group.get(0).baseOffset, cfg, nowMs);
        boolean swapped = false;
        try {
            for (LogSegment seg : group) {
                forEachBatch(seg, seg.baseOffset, stats, b -> {
                    cleanBatch(b, cleaned, txns, lastOfProducers, cfg, nowMs, stats);
                    return true;
                });
                flushWrites(cleaned, stats);
            }
            cleaned.onBecomeInactive();
            cleaned.flush();
            swapped = log.replaceSegments(group, cleaned);
            if (swapped) {
                LOG.debug(
                        "Cleaned segments {}..{} of {} into one of {} bytes",
                        group.get(0).baseOffset,
                        group.get(group.size() - 1).baseOffset,
                        log,
                        cleaned.size());
            }
            return swapped;
        } finally {
            if (!swapped) {
                try {
                    cleaned.closeAndDeleteFiles();
                } catch (IOException e) {
                    LOG.warn("Deleting the cleaned files {} failed: {}", cleaned.logFile(), e.toString());
                }
            }
        }
    }

    private void cleanBatch(
            RecordBatch b,
            LogSegment cleaned,
            CleanerTransactions txns,
            Map<Long, Long> lastOfProducers,
            LogConfig cfg,
            long nowMs,
            Stats stats)
            throws IOException {
        boolean horizonPassed = b.hasDeleteHorizon() && b.baseTimestamp() <= nowMs;
        if (b.isControl()) {
            boolean removable = txns.onControlBatchRead(b, TxnMarkers.controlType(b));
            AbortedTxn entry = txns.indexEntry();
            if (removable && horizonPassed) {
                return;
            }
            flushWritesIfLarge(cleaned, stats);
            if (removable && !b.hasDeleteHorizon()) {
                keepControlRecord(b);
                rebuild(b, 1, nowMs + cfg.deleteRetentionMs, cfg);
            } else {
                writeBuf.writeBytes(b.buffer(), b.offset(), b.sizeInBytes());
            }
            if (entry != null) {
                flushWrites(cleaned, stats);
                cleaned.txnIndex.append(entry);
            }
            return;
        }
        boolean aborted = txns.onBatchRead(b);
        Long last = b.hasProducerId() ? lastOfProducers.get(b.producerId()) : null;
        boolean lastOfProducer = last != null && last == b.lastOffset();
        stats.recordsRead += b.recordsCount();
        flushWritesIfLarge(cleaned, stats);
        int kept = aborted ? 0 : selectRecords(b, horizonPassed, nowMs);
        if (kept == 0) {
            if (lastOfProducer) {
                writeEmptyBatch(b);
            }
            return;
        }
        stats.recordsKept += kept;
        boolean tombstoneKept = keptTombstone;
        if (kept == b.recordsCount() && !(tombstoneKept && !b.hasDeleteHorizon())) {
            writeBuf.writeBytes(b.buffer(), b.offset(), b.sizeInBytes());
        } else {
            long horizon = tombstoneKept && !b.hasDeleteHorizon() ? nowMs + cfg.deleteRetentionMs : -1L;
            rebuild(b, kept, horizon, cfg);
        }
    }

    // The records selectRecords kept: where they start in keptFrom, their sizes and timestamp deltas.
    private int[] keptStart = new int[64];
    private int[] keptLength = new int[64];
    private long[] keptTimestampDelta = new long[64];
    private boolean keptTombstone;
    private ByteBuf keptFrom;

    /** Decides which records of data batch {@code b} stay; returns how many (see the fields above). */
    private int selectRecords(RecordBatch b, boolean horizonPassed, long nowMs) throws IOException {
        ByteBuf records = recordsOf(b);
        keptFrom = records;
        keptTombstone = false;
        int at = records == plainBuf ? 0 : b.offset() + RECORDS_OFFSET;
        int limit = records == plainBuf ? plainBuf.writerIndex() : b.offset() + b.sizeInBytes();
        int kept = 0;
        long latest = map.latestOffset();
        for (int i = 0; i < b.recordsCount(); i++) {
            int n = view.parse(records, at, limit);
            if (n < 0) {
                throw new CorruptRecordsException("a corrupt record in the batch at offset " + b.baseOffset());
            }
            long offset = b.baseOffset() + view.offsetDelta();
            boolean keep;
            if (offset > latest) {
                keep = true;
            } else if (!view.hasKey()) {
                keep = false;
            } else {
                long found = map.get(records, view.keyOffset(), view.keyLength());
                keep = offset >= found && (view.valueLength() >= 0 || !horizonPassed);
            }
            if (keep) {
                if (kept == keptStart.length) {
                    keptStart = Arrays.copyOf(keptStart, kept * 2);
                    keptLength = Arrays.copyOf(keptLength, kept * 2);
                    keptTimestampDelta = Arrays.copyOf(keptTimestampDelta, kept * 2);
                }
                keptStart[kept] = at;
                keptLength[kept] = n;
                keptTimestampDelta[kept] = view.timestampDelta();
                kept++;
                if (view.valueLength() < 0) {
                    keptTombstone = true;
                }
            }
            at += n;
        }
        return kept;
    }

    /**
     * Writes a new batch with the {@code count} kept records of {@code b} (its only record for a
     * control batch): the same header but for the records count, length, max timestamp (CreateTime:
     * of the kept records), CRC and, when {@code horizonMs >= 0}, the delete horizon (record
     * timestamp deltas rewritten against it); compressed again in the batch's codec.
     */
    private void rebuild(RecordBatch b, int count, long horizonMs, LogConfig cfg) throws IOException {
        int start = writeBuf.writerIndex();
        writeBuf.writeBytes(b.buffer(), b.offset(), HEADER_SIZE);
        long oldBase = b.baseTimestamp();
        long newBase = horizonMs >= 0 ? horizonMs : oldBase;
        int codec = b.compressionCodecId();
        ByteBuf target = codec == Codecs.NONE ? writeBuf : recordsBuf.clear();
        long maxTimestamp = -1L;
        for (int k = 0; k < count; k++) {
            long timestamp = oldBase + keptTimestampDelta[k];
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            if (newBase == oldBase) {
                target.writeBytes(keptFrom, keptStart[k], keptLength[k]);
            } else {
                writeWithTimestampDelta(keptFrom, keptStart[k], keptLength[k], timestamp - newBase, target);
            }
        }
        if (codec != Codecs.NONE) {
            Codecs.compress(codec, cfg.compressionLevel(codec), recordsBuf, writeBuf);
        }
        writeBuf.setInt(start + BATCH_LENGTH_OFFSET, writeBuf.writerIndex() - start - LOG_OVERHEAD);
        if (horizonMs >= 0) {
            writeBuf.setShort(start + ATTRIBUTES_OFFSET, b.attributes() | DELETE_HORIZON_FLAG_MASK);
            writeBuf.setLong(start + BASE_TIMESTAMP_OFFSET, newBase);
        }
        if (b.timestampType() != TimestampType.LOG_APPEND_TIME) {
            writeBuf.setLong(start + MAX_TIMESTAMP_OFFSET, maxTimestamp);
        }
        writeBuf.setInt(start + RECORDS_COUNT_OFFSET, count);
        scratch.wrap(writeBuf, start).updateCrc();
    }

    /** Writes the record at {@code from[at, at + length)} with another timestamp delta (its other fields as they are). */
    private static void writeWithTimestampDelta(ByteBuf from, int at, int length, long delta, ByteBuf out) {
        int p = at;
        while ((from.getByte(p++) & 0x80) != 0) {
            // the record's length varint
        }
        byte attributes = from.getByte(p++);
        while ((from.getByte(p++) & 0x80) != 0) {
            // the old timestamp delta varlong
        }
        int restLength = at + length - p;
        Wire.writeVarint(out, 1 + Wire.sizeOfVarlong(delta) + restLength);
        out.writeByte(attributes);
        Wire.writeVarlong(out, delta);
        out.writeBytes(from, p, restLength);
    }

    /** Makes the only record of control batch {@code b} the one kept record. */
    private void keepControlRecord(RecordBatch b) throws IOException {
        int at = b.offset() + RECORDS_OFFSET;
        int n = view.parse(b.buffer(), at, b.offset() + b.sizeInBytes());
        if (n < 0) {
            throw new CorruptRecordsException("a corrupt control record at offset " + b.baseOffset());
        }
        keptFrom = b.buffer();
        keptStart[0] = at;
        keptLength[0] = n;
        keptTimestampDelta[0] = view.timestampDelta();
    }

    private void writeEmptyBatch(RecordBatch b) {
        int start = writeBuf.writerIndex();
        writeBuf.writeBytes(b.buffer(), b.offset(), HEADER_SIZE);
        writeBuf.setInt(start + BATCH_LENGTH_OFFSET, HEADER_SIZE - LOG_OVERHEAD);
        int attributes = b.attributes() & ~COMPRESSION_CODEC_MASK & ~DELETE_HORIZON_FLAG_MASK;
        writeBuf.setShort(start + ATTRIBUTES_OFFSET, attributes);
        long ts = b.maxTimestamp();
        writeBuf.setLong(start + BASE_TIMESTAMP_OFFSET, ts);
        writeBuf.setLong(start + MAX_TIMESTAMP_OFFSET, ts);
        writeBuf.setInt(start + RECORDS_COUNT_OFFSET, 0);
        scratch.wrap(writeBuf, start).updateCrc();
    }

    // ---------------------------------------------------------------------------------------------
    // reading and writing

    /** Receives each whole batch of a segment; false stops the scan. */
    private interface BatchVisitor {
        boolean visit(RecordBatch batch) throws IOException;
    }

    /** Reads the batches of {@code seg} from the one holding {@code fromOffset} on, in chunks of the I/O buffer. */
    private void forEachBatch(LogSegment seg, long fromOffset, Stats stats, BatchVisitor visitor) throws IOException {
        long position = fromOffset <= seg.baseOffset ? 0 : seg.offsetIndex.lookupPosition(fromOffset);
        long end = seg.size();
        while (position < end) {
            if (abortCheck.shouldAbort()) {
                throw new AbortedException();
            }
            int want = (int) Math.min(readBuf.capacity(), end - position);
            readBuf.clear();
            readFully(seg, position, want);
            int at = 0;
            while (at + LOG_OVERHEAD <= want) {
                int size = readBuf.getInt(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
                if (size < HEADER_SIZE || position + at + size > end) {
                    throw new CorruptRecordsException("an invalid batch size " + size + " at position "
                            + (position + at) + " of " + seg.logFile());
                }
                if (at + size > want) {
                    break;
                }
                batch.wrap(readBuf, at);
                if (batch.magic() != MAGIC_V2) {
                    throw new CorruptRecordsException(
                            "magic " + batch.magic() + " at position " + (position + at) + " of " + seg.logFile());
                }
                if (!visitor.visit(batch)) {
                    stats.bytesRead += at + size;
                    return;
                }
                at += size;
            }
            if (at == 0) {
                // One batch larger than the buffer: grow it and read again.
                int size = readBuf.getInt(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
                readBuf.release();
                readBuf = Unpooled.buffer(size);
                continue;
            }
            position += at;
            stats.bytesRead += at;
            throttler.maybeThrottle(at);
        }
    }

    private void readFully(LogSegment seg, long position, int length) throws IOException {
        int read = 0;
        while (read < length) {
            int n = readBuf.writeBytes(seg.channel(), position + read, length - read);
            if (n < 0) {
                throw new IOException("end of file in " + seg.logFile() + " at " + (position + read));
            }
            read += n;
        }
    }

    /** The records of {@code b}: the batch's own bytes when uncompressed, else {@link #plainBuf} decompressed. */
    private ByteBuf recordsOf(RecordBatch b) throws IOException {
        if (!b.isCompressed()) {
            return b.buffer();
        }
        plainBuf.clear();
        ByteBuf compressed = b.buffer().slice(b.offset() + RECORDS_OFFSET, b.sizeInBytes() - RECORDS_OFFSET);
        try (InputStream in = Codecs.decompress(b.compressionCodecId(), compressed)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (plainBuf.writerIndex() + n > DecompressingRecordSource.MAX_DECOMPRESSED_BYTES) {
                    throw new CorruptRecordsException("the batch at offset " + b.baseOffset()
                            + " decompresses to more than " + DecompressingRecordSource.MAX_DECOMPRESSED_BYTES);
                }
                plainBuf.writeBytes(chunk, 0, n);
            }
        }
        return plainBuf;
    }

    private void flushWritesIfLarge(LogSegment cleaned, Stats stats) throws IOException {
        if (writeBuf.readableBytes() >= ioBufferSize) {
            flushWrites(cleaned, stats);
        }
    }

    private void flushWrites(LogSegment cleaned, Stats stats) throws IOException {
        int n = writeBuf.readableBytes();
        if (n > 0) {
            cleaned.append(writeBuf, writeBuf.readerIndex(), n, scratch);
            stats.bytesWritten += n;
            throttler.maybeThrottle(n);
        }
        writeBuf.clear();
    }

    @Override
    public void close() {
        readBuf.release();
        writeBuf.release();
        plainBuf.release();
        recordsBuf.release();
    }
}
