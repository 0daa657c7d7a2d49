package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on a real broker process before a transaction coordinator exists: hand-built
 * transactional batches (Produce v11, with {@code transaction.partition.verification.enable=false}
 * since nobody can verify them) and commit/abort markers sent as the coordinator would send them
 * (WriteTxnMarkers), read back by kafka-clients consumers: read_committed sees exactly the committed
 * and plain records, in order, and stops before the open transaction; read_uncommitted sees every
 * data record and no control record. Apache Kafka's DumpLogSegments then reads the segment and
 * the aborted-transaction index the broker wrote.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionalReadCompatTest {
    private static final String TOPIC = "txn";
    private static final short PRODUCE_V = 11;
    private static final short MARKERS_V = 1;
    private static final long COMMITTED = 1000L;
    private static final long ABORTED = 2000L;
    private static final long OPEN = 3000L;

    private static MemoryRecords batch(long producerId, int sequence, String... values) {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        MemoryRecordsBuilder b = MemoryRecords.builder(
                buf,
                RecordBatch.MAGIC_VALUE_V2,
                Compression.NONE,
                TimestampType.CREATE_TIME,
                0L,
                -1L,
                producerId,
                producerId < 0 ? RecordBatch.NO_PRODUCER_EPOCH : (short) 0,
                producerId < 0 ? RecordBatch.NO_SEQUENCE : sequence,
                producerId >= 0,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        long now = System.currentTimeMillis();
        for (String v : values) {
            b.append(now, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    private static Errors produce(RawConnection c, MemoryRecords records) throws Exception {
        ProduceRequestData req = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(10_000)
                .setTransactionalId("hand-built");
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        req.topicData().add(td);
        int corr = c.send(ApiKeys.PRODUCE, PRODUCE_V, req);
        ProduceResponseData resp = new ProduceResponseData(
                new ByteBufferAccessor(c.receive(corr, ApiKeys.PRODUCE.responseHeaderVersion(PRODUCE_V))), PRODUCE_V);
        return Errors.forCode(
                resp.responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    private static Errors marker(RawConnection c, long producerId, short epoch, int coordinatorEpoch, boolean commit)
            throws Exception {
        WriteTxnMarkersRequestData req = new WriteTxnMarkersRequestData();
        req.markers()
                .add(new WriteTxnMarkersRequestData.WritableTxnMarker()
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch)
                        .setCoordinatorEpoch(coordinatorEpoch)
                        .setTransactionResult(commit)
                        .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                .setName(TOPIC)
                                .setPartitionIndexes(List.of(0)))));
        int corr = c.send(ApiKeys.WRITE_TXN_MARKERS, MARKERS_V, req);
        WriteTxnMarkersResponseData resp = new WriteTxnMarkersResponseData(
                new ByteBufferAccessor(c.receive(corr, ApiKeys.WRITE_TXN_MARKERS.responseHeaderVersion(MARKERS_V))),
                MARKERS_V);
        return Errors.forCode(
                resp.markers().get(0).topics().get(0).partitions().get(0).errorCode());
    }

    private static List<String> read(String bootstrap, String isolation, int expected, List<Long> offsets) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, p)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, expected)) {
                values.add(new String(r.value(), StandardCharsets.UTF_8));
                offsets.add(r.offset());
            }
            // nothing more comes: more polls for a second return no record
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100))
                        .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            return values;
        }
    }

    @Test
    void readCommittedSeesExactlyTheCommittedRecordsAndReadUncommittedEveryDataRecord(@TempDir Path dir)
            throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir).with("transaction.partition.verification.enable", "false")) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
            }
            try (RawConnection c = new RawConnection("127.0.0.1", broker.port())) {
                assertThat(produce(c, batch(COMMITTED, 0, "c0", "c1"))).isEqualTo(Errors.NONE); // 0-1
                assertThat(produce(c, batch(ABORTED, 0, "a0", "a1"))).isEqualTo(Errors.NONE); // 2-3
                assertThat(produce(c, batch(-1, 0, "p0"))).isEqualTo(Errors.NONE); // 4
                assertThat(produce(c, batch(COMMITTED, 2, "c2"))).isEqualTo(Errors.NONE); // 5
                assertThat(produce(c, batch(ABORTED, 2, "a2"))).isEqualTo(Errors.NONE); // 6
                assertThat(marker(c, ABORTED, (short) 0, 3, false)).isEqualTo(Errors.NONE); // 7
                // a stale producer epoch is refused and writes nothing
                assertThat(marker(c, COMMITTED, (short) -1, 1, true)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
                assertThat(marker(c, COMMITTED, (short) 0, 1, true)).isEqualTo(Errors.NONE); // 8
                assertThat(produce(c, batch(COMMITTED, 3, "c3"))).isEqualTo(Errors.NONE); // 9: a new transaction
                // a zombie coordinator (an older coordinator epoch) is fenced and writes nothing
                assertThat(marker(c, COMMITTED, (short) 0, 0, true)).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
                assertThat(marker(c, COMMITTED, (short) 0, 1, true)).isEqualTo(Errors.NONE); // 10
                assertThat(produce(c, batch(OPEN, 0, "o0"))).isEqualTo(Errors.NONE); // 11, never ended
                assertThat(produce(c, batch(-1, 0, "p1"))).isEqualTo(Errors.NONE); // 12, after the open one
            }

            List<Long> committedOffsets = new ArrayList<>();
            List<String> committed = read(broker.bootstrapServers(), "read_committed", 5, committedOffsets);
            assertThat(committed).containsExactly("c0", "c1", "p0", "c2", "c3");
            assertThat(committedOffsets).containsExactly(0L, 1L, 4L, 5L, 9L);

            List<Long> allOffsets = new ArrayList<>();
            List<String> all = read(broker.bootstrapServers(), "read_uncommitted", 10, allOffsets);
            assertThat(all).containsExactly("c0", "c1", "a0", "a1", "p0", "c2", "a2", "c3", "o0", "p1");
            assertThat(allOffsets).as("control records are never handed out").doesNotContain(7L, 8L, 10L);

            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                TopicPartition tp = new TopicPartition(TOPIC, 0);
                Properties p = new Properties();
                p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrapServers(), p)) {
                    assertThat(consumer.endOffsets(List.of(tp))).isEqualTo(Map.of(tp, 11L));
                }
            }
            assertThat(broker.stop()).as("exit status after SIGTERM").isIn(0, 143);

            File partitionDir = dir.resolve(TOPIC + "-0").toFile();
            KafkaTool.Result dump = KafkaTool.run(
                    "org.apache.kafka.tools.DumpLogSegments",
                    "--print-data-log",
                    "--files",
                    new File(partitionDir, "00000000000000000000.log") + ","
                            + new File(partitionDir, "00000000000000000000.txnindex"));
            assertThat(dump.exitCode()).as(dump.output()).isZero();
            assertThat(dump.output())
                    .contains("endTxnMarker: ABORT coordinatorEpoch: 3")
                    .contains("endTxnMarker: COMMIT coordinatorEpoch: 1")
                    .contains("version: 0 producerId: 2000 firstOffset: 2 lastOffset: 7 lastStableOffset: 0")
                    .doesNotContain("isvalid: false");
        }
    }
}
