package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.TestBatches;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.Record;

/** Leader-to-follower copies of partition logs: the raw batches a leader's fetch returns, appended as a follower. */
final class FollowerFixture {
    private FollowerFixture() {}

    /** The raw batches of {@code log} from {@code fromOffset} to its end (every segment), in a pooled buffer the caller releases. */
    static ByteBuf rawBatches(PartitionLog log, long fromOffset) {
        return rawBatches(log, fromOffset, Long.MAX_VALUE);
    }

    /** As {@link #rawBatches(PartitionLog, long)}, the batches below {@code toOffsetExclusive} only (a batch boundary). */
    static ByteBuf rawBatches(PartitionLog log, long fromOffset, long toOffsetExclusive) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        long next = fromOffset;
        RecordBatch header = new RecordBatch();
        while (next < Math.min(log.logEndOffset(), toOffsetExclusive)) {
            ReadResult r = log.read(next, Integer.MAX_VALUE, toOffsetExclusive, true);
            assertThat(r.outcome()).isEqualTo(ReadOutcome.SUCCESS);
            if (r.records().sizeInBytes() == 0) {
                break;
            }
            int start = out.writerIndex();
            r.records().copyTo(out);
            for (int at = start; at < out.writerIndex(); at += header.sizeInBytes()) {
                header.wrap(out, at);
                next = header.nextOffset();
            }
        }
        return out;
    }

    /** Appends as a follower what {@code leader} holds above {@code follower}'s log end; the high watermark follows the leader's. */
    static AppendResult replicate(PartitionLog leader, PartitionLog follower) throws Exception {
        ByteBuf raw = rawBatches(leader, follower.logEndOffset());
        try {
            AppendResult r = follower.appendAsFollower(raw);
            follower.updateHighWatermark(leader.highWatermark());
            return r;
        } finally {
            raw.release();
        }
    }

    /** Appends as a follower the batches of {@code leader} from {@code follower}'s log end up to {@code toOffsetExclusive}. */
    static void replicateUpTo(PartitionLog leader, PartitionLog follower, long toOffsetExclusive) throws Exception {
        ByteBuf raw = rawBatches(leader, follower.logEndOffset(), toOffsetExclusive);
        try {
            follower.appendAsFollower(raw);
            follower.updateHighWatermark(Math.min(leader.highWatermark(), toOffsetExclusive));
        } finally {
            raw.release();
        }
    }

    /**
     * Asserts that both logs hold the same batches, byte for byte, at every offset (however their
     * segments are laid out), end at the same offset and answer the same ListOffsets for each of
     * {@code timestamps} and for latest, earliest and max timestamp.
     */
    static void assertSameBatches(PartitionLog expected, PartitionLog actual, List<Long> timestamps) {
        assertThat(actual.logStartOffset()).isEqualTo(expected.logStartOffset());
        assertThat(actual.logEndOffset()).isEqualTo(expected.logEndOffset());
        for (long o = expected.logStartOffset(); o < expected.logEndOffset(); o++) {
            ReadResult e = expected.read(o, 1, Long.MAX_VALUE, true);
            ReadResult a = actual.read(o, 1, Long.MAX_VALUE, true);
            assertThat(a.outcome()).as("read at " + o).isEqualTo(ReadOutcome.SUCCESS);
            assertThat(LogFixture.bytes(a.records())).as("batch at " + o).isEqualTo(LogFixture.bytes(e.records()));
        }
        assertThat(actual.read(expected.logEndOffset() + 1, 1, Long.MAX_VALUE, true)
                        .outcome())
                .isEqualTo(ReadOutcome.OFFSET_OUT_OF_RANGE);
        for (long ts : timestamps) {
            assertThat(actual.offsetForTimestamp(ts)).as("offset for " + ts).isEqualTo(expected.offsetForTimestamp(ts));
        }
        for (long special : new long[] {-1L, -2L, -3L}) {
            assertThat(actual.offsetForTimestamp(special))
                    .as("ListOffsets " + special)
                    .isEqualTo(expected.offsetForTimestamp(special));
        }
    }

    /** The timestamps of every record of {@code log}. */
    static List<Long> recordTimestamps(PartitionLog log) {
        List<Long> out = new ArrayList<>();
        ByteBuf raw = rawBatches(log, log.logStartOffset());
        try {
            for (org.apache.kafka.common.record.internal.RecordBatch b :
                    TestBatches.kafkaView(raw).batches()) {
                for (Record r : b) {
                    out.add(r.timestamp());
                }
            }
        } finally {
            raw.release();
        }
        return out;
    }

    /** Appends {@code spec} as leader in {@code leaderEpoch}; the high watermark follows the log end. */
    static AppendResult appendInEpoch(LogFixture fx, PartitionLog log, TestBatches.Spec spec, int leaderEpoch) {
        ByteBuf buf = spec.build();
        try {
            AppendResult r = log.appendAsLeader(buf, leaderEpoch, fx.clock.milliseconds());
            log.updateHighWatermark(log.logEndOffset());
            return r;
        } finally {
            buf.release();
        }
    }

    /** Asserts that both logs have the same segments with byte-identical log, offset index, time index and txn index files. */
    static void assertSameSegmentFiles(PartitionLog expected, PartitionLog actual) throws IOException {
        assertThat(actual.segmentBaseOffsets()).containsExactly(expected.segmentBaseOffsets());
        for (long base : expected.segmentBaseOffsets()) {
            for (String suffix : LogSegment.ALL_SUFFIXES) {
                File e = LogFiles.file(expected.dir(), base, suffix);
                File a = LogFiles.file(actual.dir(), base, suffix);
                assertThat(a.exists()).as(a + " exists").isEqualTo(e.exists());
                if (e.exists()) {
                    assertThat(Files.readAllBytes(a.toPath()))
                            .as("contents of " + a.getName())
                            .isEqualTo(Files.readAllBytes(e.toPath()));
                }
            }
        }
    }

    /** Asserts that both logs answer the same for every epoch up to {@code maxEpoch} and hold the same checkpoint file. */
    static void assertSameEpochs(PartitionLog expected, PartitionLog actual, int maxEpoch) throws IOException {
        assertThat(actual.latestEpoch()).isEqualTo(expected.latestEpoch());
        for (int epoch = 0; epoch <= maxEpoch; epoch++) {
            assertThat(actual.endOffsetForEpoch(epoch))
                    .as("end offset for epoch " + epoch)
                    .containsExactly(expected.endOffsetForEpoch(epoch));
        }
        File e = new File(expected.dir(), LogFiles.LEADER_EPOCH_CHECKPOINT);
        File a = new File(actual.dir(), LogFiles.LEADER_EPOCH_CHECKPOINT);
        assertThat(epochLines(a)).as("leader-epoch-checkpoint").isEqualTo(epochLines(e));
    }

    /** The entries of a leader-epoch-checkpoint (none when the file is missing). */
    private static List<String> epochLines(File checkpoint) throws IOException {
        List<String> out = new ArrayList<>();
        for (String[] f : CheckpointFile.read(checkpoint, 2)) {
            out.add(f[0] + " " + f[1]);
        }
        return out;
    }
}
