package io.skiff.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.broker.partition.Partition;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.group.SimpleTopicsView;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.ManualTimer;
import io.skiff.coordinator.runtime.RecordVisitor;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.ReadResult;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import io.skiff.wire.util.Clock;
import io.skiff.wire.util.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's view of a real partition log: what replay hands over from batches written
 * by producers (transactional data with a producer id, commit and abort markers) and from the
 * coordinator's own appends, plain and transactional.
 */
class PartitionCoordinatorLogTest {
    private static final TopicPartition TP = new TopicPartition("__test_state", 0);

    @TempDir
    Path dir;

    private LogManager logs;

    @AfterEach
    void shutdown() throws Exception {
        if (logs != null) {
            logs.shutdown();
        }
    }

    /** Records what replay hands over, one line per record or marker. */
    private static final class Seen implements RecordVisitor {
        final List<String> lines = new ArrayList<>();

        @Override
        public void visit(long offset, long producerId, short producerEpoch, ByteBuffer key, ByteBuffer value) {
            lines.add(offset + " " + producerId + "/" + producerEpoch + " " + text(key) + "=" + text(value));
        }

        @Override
        public void visitEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
            lines.add(offset + " " + producerId + "/" + producerEpoch + " " + (commit ? "COMMIT" : "ABORT"));
        }

        private static String text(ByteBuffer b) {
            if (b == null) {
                return "null";
            }
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One stored batch at {@code baseOffset}: the bytes as the log keeps them (offsets assigned). */
    private static byte[] batch(
            long baseOffset,
            long producerId,
            short producerEpoch,
            int attributes,
            List<byte[]> keys,
            List<byte[]> values) {
        int sequence = producerId < 0 || (attributes & RecordBatchDescriptor.CONTROL_FLAG_MASK) != 0
                ? RecordBatchDescriptor.NO_SEQUENCE
                : 0;
        ByteBuf buf = RecordBatchBuilder.build(
                UnpooledByteBufAllocator.DEFAULT,
                1_000L,
                producerId,
                producerEpoch,
                sequence,
                attributes,
                keys,
                values);
        try {
            RecordBatch b = new RecordBatch().wrap(buf, 0);
            b.setBaseOffset(baseOffset);
            b.setPartitionLeaderEpoch(0);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] data(long baseOffset, long producerId, short producerEpoch, String... keysAndValues) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            keys.add(bytes(keysAndValues[i]));
            values.add(bytes(keysAndValues[i + 1]));
        }
        int attributes = producerId < 0 ? 0 : RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK;
        return batch(baseOffset, producerId, producerEpoch, attributes, keys, values);
    }

    /** A transaction marker: control key (version 0, type), value (version 0, coordinator epoch 5). */
    private static byte[] marker(long offset, long producerId, short producerEpoch, short type) {
        byte[] key = {0, 0, 0, (byte) type};
        byte[] value = {0, 0, 0, 0, 0, 5};
        return batch(
                offset,
                producerId,
                producerEpoch,
                RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK | RecordBatchDescriptor.CONTROL_FLAG_MASK,
                List.of(key),
                Arrays.asList(value));
    }

    /** Writes {@code batches} as the partition's only segment, then opens the log (recovering it). */
    private PartitionLog logHolding(byte[]... batches) throws Exception {
        File partitionDir = dir.resolve(TP.topic() + "-" + TP.partition()).toFile();
        assertThat(partitionDir.mkdirs()).isTrue();
        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        for (byte[] b : batches) {
            segment.write(b);
        }
        Files.write(new File(partitionDir, "00000000000000000000.log").toPath(), segment.toByteArray());
        logs = LogManager.start(LogManagerConfig.builder(List.of(dir.toFile())).build(), Clock.SYSTEM, null);
        return logs.getLog(TP);
    }

    /** The partition over {@code log}, led by node 1 in {@code epoch}. */
    private static Partition partition(PartitionLog log, int epoch) throws Exception {
        return new Partition(log, 1, epoch, 1, null);
    }

    private PartitionLog emptyLog() throws Exception {
        logs = LogManager.start(LogManagerConfig.builder(List.of(dir.toFile())).build(), Clock.SYSTEM, null);
        return logs.createLog(TP, null, LogConfig.DEFAULT);
    }

    @Test
    void replayHandsEveryRecordWithItsBatchProducerAndEveryTransactionMarker() throws Exception {
        PartitionLog log = logHolding(
                data(0, -1, (short) -1, "k0", "v0", "k1", null),
                data(2, 42, (short) 7, "k2", "v2", "k3", "v3"),
                marker(4, 42, (short) 7, CoordinatorBatchDecoder.CONTROL_TYPE_COMMIT),
                data(5, 43, (short) 1, "k5", "v5"),
                marker(6, 43, (short) 1, CoordinatorBatchDecoder.CONTROL_TYPE_ABORT));
        assertThat(log.logEndOffset()).isEqualTo(7);
        PartitionCoordinatorLog coordinatorLog = new PartitionCoordinatorLog(partition(log, 0), 0, false, () -> 2_000L);
        Seen seen = new Seen();
        assertThat(coordinatorLog.replay(0, seen)).isEqualTo(7);
        assertThat(seen.lines)
                .containsExactly(
                        "0 -1/-1 k0=v0",
                        "1 -1/-1 k1=null",
                        "2 42/7 k2=v2",
                        "3 42/7 k3=v3",
                        "4 42/7 COMMIT",
                        "5 43/1 k5=v5",
                        "6 43/1 ABORT");
    }

    @Test
    void replayFromAnOffsetInsideABatchStartsAtThatRecord() throws Exception {
        PartitionLog log = logHolding(
                data(0, 42, (short) 7, "k0", "v0", "k1", "v1", "k2", "v2"),
                marker(3, 42, (short) 7, CoordinatorBatchDecoder.CONTROL_TYPE_COMMIT));
        Seen seen = new Seen();
        assertThat(new PartitionCoordinatorLog(partition(log, 0), 0, false, () -> 2_000L).replay(1, seen))
                .isEqualTo(4);
        assertThat(seen.lines).containsExactly("1 42/7 k1=v1", "2 42/7 k2=v2", "3 42/7 COMMIT");
    }

    @Test
    void controlRecordsOtherThanTransactionMarkersAreSkipped() throws Exception {
        byte[] leaderChange = batch(
                1,
                -1,
                (short) -1,
                RecordBatchDescriptor.CONTROL_FLAG_MASK,
                List.of(new byte[] {0, 0, 0, 2}),
                Arrays.asList(new byte[] {0, 0}));
        PartitionLog log =
                logHolding(data(0, -1, (short) -1, "k0", "v0"), leaderChange, data(2, -1, (short) -1, "k2", "v2"));
        Seen seen = new Seen();
        assertThat(new PartitionCoordinatorLog(partition(log, 0), 0, false, () -> 2_000L).replay(0, seen))
                .isEqualTo(3);
        assertThat(seen.lines).containsExactly("0 -1/-1 k0=v0", "2 -1/-1 k2=v2");
    }

    @Test
    void appendedRecordsAreBatchesWithoutAProducerInTheElectionEpochReplayedAtTheOffsetsTheAppendReturned()
            throws Exception {
        PartitionLog log = emptyLog();
        PartitionCoordinatorLog coordinatorLog = new PartitionCoordinatorLog(partition(log, 3), 3, false, () -> 2_000L);
        CoordinatorRecord a = GroupRecords.offsetCommit("g", "t", 0, 5L, -1, "", 2_000L, -1L, null);
        CoordinatorRecord b = GroupRecords.offsetCommitTombstone("g", "t", 1);
        assertThat(coordinatorLog.append(List.of(a)).get(10, TimeUnit.SECONDS)).isZero();
        assertThat(coordinatorLog.append(List.of(a, b)).get(10, TimeUnit.SECONDS))
                .isEqualTo(2);
        assertThat(log.latestEpoch()).isEqualTo(3);
        Seen seen = new Seen();
        assertThat(coordinatorLog.replay(0, seen)).isEqualTo(3);
        String keyA = Seen.text(ByteBuffer.wrap(a.keyBytes()));
        String valueA = Seen.text(ByteBuffer.wrap(a.valueBytes()));
        String keyB = Seen.text(ByteBuffer.wrap(b.keyBytes()));
        assertThat(seen.lines)
                .containsExactly(
                        "0 -1/-1 " + keyA + "=" + valueA,
                        "1 -1/-1 " + keyA + "=" + valueA,
                        "2 -1/-1 " + keyB + "=null");
    }

    /** The batches the log holds, read back from its segment files (offsets assigned). */
    private static List<String> storedBatches(PartitionLog log) {
        ReadResult read = log.read(0, 1 << 20, log.logEndOffset(), true);
        ByteBuf chunk = Unpooled.buffer(read.records().sizeInBytes());
        try {
            read.records().copyTo(chunk);
            List<String> out = new ArrayList<>();
            RecordBatch b = new RecordBatch();
            for (int at = 0; at < chunk.writerIndex(); at += b.sizeInBytes()) {
                b.wrap(chunk, at);
                out.add(b.baseOffset() + "-" + b.lastOffset() + " producer " + b.producerId() + "/"
                        + b.producerEpoch() + " seq " + b.baseSequence() + (b.isTransactional() ? " txn" : "")
                        + (b.isControl() ? " control" : "") + " epoch " + b.partitionLeaderEpoch()
                        + (b.isValid() ? "" : " BAD CRC"));
            }
            return out;
        } finally {
            chunk.release();
        }
    }

    @Test
    void transactionalAppendIsOneTransactionalBatchOfTheProducerWithoutASequenceOnDisk() throws Exception {
        PartitionLog log = emptyLog();
        PartitionCoordinatorLog coordinatorLog = new PartitionCoordinatorLog(partition(log, 3), 3, false, () -> 2_000L);
        CoordinatorRecord plain = GroupRecords.offsetCommit("g", "t", 0, 5L, -1, "", 2_000L, -1L, null);
        CoordinatorRecord a = GroupRecords.offsetCommit("g", "t", 1, 6L, -1, "", 2_000L, -1L, null);
        CoordinatorRecord b = GroupRecords.offsetCommit("g", "t", 2, 7L, -1, "", 2_000L, -1L, null);
        assertThat(coordinatorLog.append(List.of(plain)).get(10, TimeUnit.SECONDS))
                .isZero();
        assertThat(coordinatorLog
                        .appendTransactional(42L, (short) 7, List.of(a, b))
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(2);
        assertThat(coordinatorLog
                        .appendTransactional(42L, (short) 7, List.of(a))
                        .get(10, TimeUnit.SECONDS))
                .as("a second batch of the same producer epoch is no duplicate")
                .isEqualTo(3);
        assertThat(storedBatches(log))
                .containsExactly(
                        "0-0 producer -1/-1 seq -1 epoch 3",
                        "1-2 producer 42/7 seq -1 txn epoch 3",
                        "3-3 producer 42/7 seq -1 txn epoch 3");
        Seen seen = new Seen();
        assertThat(coordinatorLog.replay(0, seen)).isEqualTo(4);
        assertThat(seen.lines)
                .extracting(line -> line.substring(0, line.indexOf(' ', line.indexOf(' ') + 1)))
                .containsExactly("0 -1/-1", "1 42/7", "2 42/7", "3 42/7");
    }

    @Test
    void transactionalBatchCarriesTheProducerAndTheTransactionalFlagWithoutASequence() {
        CoordinatorRecord a = GroupRecords.offsetCommit("g", "t", 1, 6L, -1, "", 2_000L, -1L, null);
        CoordinatorRecord tombstone = GroupRecords.offsetCommitTombstone("g", "t", 2);
        ByteBuf built = PartitionCoordinatorLog.batch(
                42L,
                (short) 7,
                RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK,
                List.of(a, tombstone),
                2_000L,
                UnpooledByteBufAllocator.DEFAULT);
        try {
            RecordBatch b = new RecordBatch().wrap(built, 0);
            assertThat(b.isValid()).isTrue();
            assertThat(b.producerId()).isEqualTo(42L);
            assertThat(b.producerEpoch()).isEqualTo((short) 7);
            assertThat(b.baseSequence()).isEqualTo(RecordBatchDescriptor.NO_SEQUENCE);
            assertThat(b.isTransactional()).isTrue();
            assertThat(b.isControl()).isFalse();
            assertThat(b.isCompressed()).isFalse();
            assertThat(b.recordsCount()).isEqualTo(2);
            assertThat(b.maxTimestamp()).isEqualTo(2_000L);
            Seen seen = new Seen();
            CoordinatorBatchDecoder.decode(b, 0, seen);
            assertThat(seen.lines)
                    .containsExactly(
                            "0 42/7 " + Seen.text(ByteBuffer.wrap(a.keyBytes())) + "="
                                    + Seen.text(ByteBuffer.wrap(a.valueBytes())),
                            "1 42/7 " + Seen.text(ByteBuffer.wrap(tombstone.keyBytes())) + "=null");
        } finally {
            built.release();
        }
    }

    @Test
    void endTransactionMarkerIsAControlBatchOfTheProducerReplayedAsAMarker() throws Exception {
        PartitionLog log = emptyLog();
        PartitionCoordinatorLog coordinatorLog = new PartitionCoordinatorLog(partition(log, 0), 0, false, () -> 2_000L);
        CoordinatorRecord a = GroupRecords.offsetCommit("g", "t", 1, 6L, -1, "", 2_000L, -1L, null);
        assertThat(coordinatorLog
                        .appendTransactional(42L, (short) 7, List.of(a))
                        .get(10, TimeUnit.SECONDS))
                .isZero();
        assertThat(coordinatorLog
                        .appendEndTransactionMarker(42L, (short) 7, 3, true)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(1);
        assertThat(storedBatches(log))
                .containsExactly(
                        "0-0 producer 42/7 seq -1 txn epoch 0", "1-1 producer 42/7 seq -1 txn control epoch 0");
        Seen seen = new Seen();
        assertThat(coordinatorLog.replay(0, seen)).isEqualTo(2);
        assertThat(seen.lines).hasSize(2).last().isEqualTo("1 42/7 COMMIT");
    }

    private static byte[] offsetCommits(
            long baseOffset, long producerId, short producerEpoch, CoordinatorRecord... rs) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (CoordinatorRecord r : rs) {
            keys.add(r.keyBytes());
            values.add(r.valueBytes());
        }
        int attributes = producerId < 0 ? 0 : RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK;
        return batch(baseOffset, producerId, producerEpoch, attributes, keys, values);
    }

    private static CoordinatorRecord commit(int partition, long offset) {
        return GroupRecords.offsetCommit("g", "t", partition, offset, -1, "", 1_000L, -1L, null);
    }

    @Test
    void groupCoordinatorLoadsCommittedAbortedAndOpenTransactionalOffsetsFromTheLog() throws Exception {
        PartitionLog log = logHolding(
                offsetCommits(0, -1, (short) -1, commit(0, 5)),
                offsetCommits(1, 42, (short) 7, commit(0, 10), commit(1, 11)),
                marker(3, 42, (short) 7, CoordinatorBatchDecoder.CONTROL_TYPE_COMMIT),
                offsetCommits(4, 43, (short) 1, commit(2, 12)),
                marker(5, 43, (short) 1, CoordinatorBatchDecoder.CONTROL_TYPE_ABORT),
                offsetCommits(6, 44, (short) 0, commit(0, 99)));
        SimpleTopicsView topics = new SimpleTopicsView();
        topics.put("t", 3);
        ManualClock clock = new ManualClock(2_000L);
        GroupCoordinator coordinator = new GroupCoordinator(
                GroupCoordinatorConfig.builder().offsetsTopicPartitions(1).build(),
                topics,
                clock,
                new ManualTimer(clock),
                null);
        try {
            coordinator
                    .onElection(0, 0, new PartitionCoordinatorLog(partition(log, 0), 0, false, () -> 2_000L))
                    .get(10, TimeUnit.SECONDS);
            assertThat(fetch(coordinator, false))
                    .as("committed offsets: the transaction of 42 committed, 43 aborted, 44 still open")
                    .containsExactly("0:10:0", "1:11:0", "2:-1:0");
            assertThat(fetch(coordinator, true))
                    .containsExactly("0:-1:" + Errors.UNSTABLE_OFFSET_COMMIT.code, "1:11:0", "2:-1:0");
        } finally {
            coordinator.close();
        }
    }

    /** OffsetFetch v8 of g's t-0..2 as "partition:offset:error". */
    private static List<String> fetch(GroupCoordinator coordinator, boolean requireStable) throws Exception {
        OffsetFetchResponse r = coordinator
                .fetchOffsets(
                        new RequestContext((short) 8, "client", "/127.0.0.1"),
                        new OffsetFetchRequest()
                                .setRequireStable(requireStable)
                                .setGroups(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                                        .setGroupId("g")
                                        .setTopics(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics()
                                                .setName("t")
                                                .setPartitionIndexes(List.of(0, 1, 2)))))))
                .get(10, TimeUnit.SECONDS);
        List<String> out = new ArrayList<>();
        for (OffsetFetchResponse.OffsetFetchResponsePartitions p :
                r.groups().get(0).topics().get(0).partitions()) {
            out.add(p.partitionIndex() + ":" + p.committedOffset() + ":" + p.errorCode());
        }
        return out;
    }
}
