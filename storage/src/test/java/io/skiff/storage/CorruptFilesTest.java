package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of a partition directory, damaged by a bit flip or a truncation, then reopened: the
 * records before the damage are all there, indexes and producer state are rebuilt where they were
 * damaged, and the log takes appends again. One row per {@link Kind} x {@link Damage}.
 */
class CorruptFilesTest {
    private static final long PID = 7L;
    private static final int BATCHES = 30;
    private static final int EPOCH_CHANGE_BATCH = 15;
    private static final LogConfig CONFIG =
            LogFixture.config(LogConfig.SEGMENT_BYTES, "2000", LogConfig.INDEX_INTERVAL_BYTES, "100");

    @TempDir
    File root;

    /** Which file is damaged, and whether the broker had shut down cleanly before. */
    enum Kind {
        /** The last batch of the active segment, after a crash (recovery scans it). */
        LOG_TAIL_AFTER_CRASH(false),
        /** A batch in the middle of the first segment, after a clean shutdown (not scanned). */
        LOG_MIDDLE_AFTER_CLEAN_SHUTDOWN(true),
        /** The offset index of the first segment. */
        OFFSET_INDEX(true),
        /** The time index of the first segment. */
        TIME_INDEX(true),
        /** The latest producer state snapshot. */
        PRODUCER_SNAPSHOT(true),
        /** leader-epoch-checkpoint. */
        LEADER_EPOCH_CHECKPOINT(true);

        final boolean clean;

        Kind(boolean clean) {
            this.clean = clean;
        }
    }

    enum Damage {
        BIT_FLIP,
        TRUNCATION
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (Damage d : Damage.values()) {
                out.add(Arguments.of(k, d));
            }
        }
        return out.stream();
    }

    /** The batches of one segment file: {position, base offset, size in bytes} each. */
    static List<long[]> batches(File logFile) throws IOException {
        List<long[]> out = new ArrayList<>();
        byte[] bytes = Files.readAllBytes(logFile.toPath());
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int at = 0;
        while (at + 12 <= bytes.length) {
            int size = b.getInt(at + 8) + 12;
            out.add(new long[] {at, b.getLong(at), size});
            at += size;
        }
        return out;
    }

    private static void append(LogFixture fx, PartitionLog log, int i) {
        int epoch = i < EPOCH_CHANGE_BATCH ? 0 : 3;
        ByteBuf buf = spec().count(2)
                .valueSize(40)
                .timestamp(LogFixture.START_MS + i * 1000L)
                .idempotent(PID, (short) 0, 2 * i)
                .build();
        try {
            AppendResult r = log.appendAsLeader(buf, epoch, fx.clock.milliseconds());
            assertThat(r.outcome()).as("append of batch %d", i).isEqualTo(AppendOutcome.APPENDED);
            log.updateHighWatermark(log.logEndOffset());
        } finally {
            buf.release();
        }
    }

    private static File segmentFile(File dir, long base, String suffix) {
        return LogFiles.file(dir, base, suffix);
    }

    private static void flipBit(File f, long position, int mask) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.seek(position);
            int b = raf.readByte();
            raf.seek(position);
            raf.write(b ^ mask);
        }
    }

    private static void truncate(File f, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.setLength(length);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void damagedFileKeepsEveryRecordBeforeTheDamage(Kind kind, Damage damage) throws Exception {
        File liveRoot = new File(root, "live");
        File openRoot = new File(root, "reopened");
        List<Long> before;
        long[] segmentBases;
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(CONFIG);
            for (int i = 0; i < BATCHES; i++) {
                append(live, log, i);
            }
            before = LogFixture.offsets(log);
            segmentBases = log.segmentBaseOffsets();
            assertThat(segmentBases.length).as("the log has several segments").isGreaterThanOrEqualTo(3);
            if (kind.clean) {
                log.close();
            }
            RecoveryTest.crashImage(live.dir, new File(openRoot, LogFixture.TP.dirName()));
        }
        File dir = new File(openRoot, LogFixture.TP.dirName());
        List<Long> expected = damage(kind, damage, dir, segmentBases, new ArrayList<>(before));

        try (LogFixture fx = new LogFixture(openRoot)) {
            PartitionLog log =
                    fx.open(CONFIG, kind.clean, kind.clean ? before.size() : segmentBases[segmentBases.length - 1], 0L);
            if (kind == Kind.LOG_MIDDLE_AFTER_CLEAN_SHUTDOWN && damage == Damage.BIT_FLIP) {
                assertCorruptBatchIsServedNotDropped(log, before);
            } else {
                assertThat(LogFixture.offsets(log)).isEqualTo(expected);
                assertEveryOffsetIsFoundThroughTheIndex(log, expected);
            }
            assertIndexesAreSane(log);
            assertThat(log.endOffsetForEpoch(0)).containsExactly(0L, 2L * EPOCH_CHANGE_BATCH);
            assertThat(log.latestEpoch()).isEqualTo(3);
            long next = log.logEndOffset();
            int lastSeq = log.activeProducers().get(0).lastSequence();
            assertThat(lastSeq).as("producer state follows the log").isEqualTo((int) lastOffsetOf(log));
            // the producer continues in sequence; a retry of its last batch is a duplicate
            ByteBuf dup = spec().count(2)
                    .valueSize(40)
                    .idempotent(PID, (short) 0, lastSeq - 1)
                    .build();
            try {
                assertThat(log.appendAsLeader(dup, 3, fx.clock.milliseconds()).isDuplicate())
                        .isTrue();
            } finally {
                dup.release();
            }
            ByteBuf more =
                    spec().count(2).idempotent(PID, (short) 0, lastSeq + 1).build();
            try {
                AppendResult r = log.appendAsLeader(more, 3, fx.clock.milliseconds());
                assertThat(r.outcome()).isEqualTo(AppendOutcome.APPENDED);
                assertThat(r.firstOffset()).isEqualTo(next);
            } finally {
                more.release();
            }
            for (long o : log.producerSnapshotOffsets()) {
                ProducerStateManager.readSnapshot(segmentFile(dir, o, LogFiles.SNAPSHOT_SUFFIX));
            }
            assertThat(CheckpointFile.read(new File(dir, LogFiles.LEADER_EPOCH_CHECKPOINT), 2))
                    .hasSize(2);
        }
    }

    @Test
    void badBatchSizeInATrustedSegmentFailsReadsThereWithCorruptMessageAndKeepsTheRest() throws Exception {
        List<Long> before;
        long[] middle;
        try (LogFixture live = new LogFixture(root)) {
            PartitionLog log = live.open(CONFIG);
            for (int i = 0; i < BATCHES; i++) {
                append(live, log, i);
            }
            before = LogFixture.offsets(log);
            long[] bases = log.segmentBaseOffsets();
            log.close();
            File first = segmentFile(log.dir(), bases[0], LogFiles.LOG_SUFFIX);
            List<long[]> bs = batches(first);
            middle = bs.get(bs.size() / 2);
            try (RandomAccessFile raf = new RandomAccessFile(first, "rw")) {
                raf.seek(middle[0] + 8);
                raf.writeInt(5); // a batch length no batch can have
            }
            PartitionLog reopened = live.open(CONFIG, true, before.size(), 0L);
            assertThat(reopened.logEndOffset()).isEqualTo(before.size());
            assertThat(reopened.read(middle[1], 1, Long.MAX_VALUE, true).outcome())
                    .isEqualTo(ReadOutcome.CORRUPT_MESSAGE);
            assertThat(reopened.read(middle[1] + 1, 1, Long.MAX_VALUE, true).outcome())
                    .isEqualTo(ReadOutcome.CORRUPT_MESSAGE);
            List<Long> readable = new ArrayList<>(before);
            readable.removeIf(o -> o == middle[1] || o == middle[1] + 1);
            assertEveryOffsetIsFoundThroughTheIndex(reopened, readable);
        }
    }

    /** The last offset written; every batch holds two records at sequences equal to their offsets. */
    private static long lastOffsetOf(PartitionLog log) {
        return log.logEndOffset() - 1;
    }

    /** Damages the file; returns the offsets expected after reopening. */
    private static List<Long> damage(Kind kind, Damage damage, File dir, long[] bases, List<Long> offsets)
            throws IOException {
        switch (kind) {
            case LOG_TAIL_AFTER_CRASH -> {
                File active = segmentFile(dir, bases[bases.length - 1], LogFiles.LOG_SUFFIX);
                long[] last = batches(active).get(batches(active).size() - 1);
                if (damage == Damage.BIT_FLIP) {
                    flipBit(active, last[0] + last[2] - 3, 0x10);
                } else {
                    truncate(active, last[0] + last[2] / 2);
                }
                offsets.removeIf(o -> o >= last[1]);
            }
            case LOG_MIDDLE_AFTER_CLEAN_SHUTDOWN -> {
                File first = segmentFile(dir, bases[0], LogFiles.LOG_SUFFIX);
                List<long[]> bs = batches(first);
                long[] middle = bs.get(bs.size() / 2);
                if (damage == Damage.BIT_FLIP) {
                    flipBit(first, middle[0] + middle[2] - 3, 0x10);
                } else {
                    truncate(first, middle[0] + middle[2] / 2);
                    offsets.removeIf(o -> o >= middle[1] && o < bases[1]);
                }
            }
            case OFFSET_INDEX -> {
                File idx = segmentFile(dir, bases[0], LogFiles.INDEX_SUFFIX);
                assertThat(idx.length()).isGreaterThanOrEqualTo(16);
                if (damage == Damage.BIT_FLIP) {
                    flipBit(idx, idx.length() - 4, 0x80); // the last position becomes negative
                } else {
                    truncate(idx, idx.length() - 3);
                }
            }
            case TIME_INDEX -> {
                File idx = segmentFile(dir, bases[0], LogFiles.TIME_INDEX_SUFFIX);
                assertThat(idx.length()).isGreaterThanOrEqualTo(24);
                if (damage == Damage.BIT_FLIP) {
                    flipBit(idx, idx.length() - 12, 0x80); // the last timestamp becomes negative
                } else {
                    truncate(idx, idx.length() - 5);
                }
            }
            case PRODUCER_SNAPSHOT -> {
                File[] snaps = dir.listFiles((d, n) -> n.endsWith(LogFiles.SNAPSHOT_SUFFIX));
                assertThat(snaps).hasSizeGreaterThanOrEqualTo(2);
                Arrays.sort(snaps);
                File latest = snaps[snaps.length - 1];
                if (damage == Damage.BIT_FLIP) {
                    flipBit(latest, latest.length() - 20, 0x04);
                } else {
                    truncate(latest, latest.length() - 10);
                }
            }
            case LEADER_EPOCH_CHECKPOINT -> {
                File f = new File(dir, LogFiles.LEADER_EPOCH_CHECKPOINT);
                if (damage == Damage.BIT_FLIP) {
                    flipBit(f, 0, 0x01); // version 0 becomes 1
                } else {
                    truncate(f, f.length() - 3);
                }
            }
            default -> throw new AssertionError(kind);
        }
        return offsets;
    }

    /**
     * After a clean shutdown the segments are trusted, as Kafka trusts them: the batch whose CRC
     * no longer matches is still in the log and is served as it is (a consumer's CRC check
     * rejects it), and the records after it are not dropped.
     */
    private static void assertCorruptBatchIsServedNotDropped(PartitionLog log, List<Long> before) throws IOException {
        assertThat(log.logEndOffset()).isEqualTo(before.size());
        int invalid = 0;
        List<Long> valid = new ArrayList<>();
        for (long o = 0; o < log.logEndOffset(); o += 2) {
            ReadResult r = log.read(o, 1, Long.MAX_VALUE, true);
            assertThat(r.outcome()).isEqualTo(ReadOutcome.SUCCESS);
            for (RecordBatch b :
                    MemoryRecords.readableRecords(LogFixture.bytes(r.records())).batches()) {
                assertThat(b.baseOffset()).isEqualTo(o);
                if (b.isValid()) {
                    valid.add(b.baseOffset());
                } else {
                    invalid++;
                }
                break;
            }
        }
        assertThat(invalid).isEqualTo(1);
        assertThat(valid).hasSize(before.size() / 2 - 1);
    }

    private static void assertEveryOffsetIsFoundThroughTheIndex(PartitionLog log, List<Long> expected) {
        for (long o : expected) {
            ReadResult r = log.read(o, 1, Long.MAX_VALUE, true);
            assertThat(r.outcome()).as("read at offset %d", o).isEqualTo(ReadOutcome.SUCCESS);
            RecordBatch b = MemoryRecords.readableRecords(LogFixture.bytes(r.records()))
                    .batches()
                    .iterator()
                    .next();
            assertThat(b.baseOffset()).as("batch read for offset %d", o).isLessThanOrEqualTo(o);
            assertThat(b.lastOffset()).as("batch read for offset %d", o).isGreaterThanOrEqualTo(o);
        }
    }

    private static void assertIndexesAreSane(PartitionLog log) throws IOException {
        long[] bases = log.segmentBaseOffsets();
        // the inactive segments' index files (the active one is mapped and preallocated by the log)
        for (int i = 0; i + 1 < bases.length; i++) {
            File dir = log.dir();
            long logSize = segmentFile(dir, bases[i], LogFiles.LOG_SUFFIX).length();
            try (OffsetIndex oi =
                            new OffsetIndex(segmentFile(dir, bases[i], LogFiles.INDEX_SUFFIX), bases[i], 1 << 20);
                    TimeIndex ti =
                            new TimeIndex(segmentFile(dir, bases[i], LogFiles.TIME_INDEX_SUFFIX), bases[i], 1 << 20)) {
                oi.sanityCheck(logSize, bases[i + 1]);
                ti.sanityCheck(logSize, bases[i + 1]);
                assertThat(oi.entries()).isPositive();
                assertThat(ti.entries()).isPositive();
            }
        }
    }
}
