package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad produce and fetch requests get the errors Apache Kafka 4.3.1 gives, nothing reaches the
 * log, and the broker keeps serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadProduceFetchCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static final short PRODUCE_V = 12;
    private static final short FETCH_V = 12;

    @BeforeAll
    static void topics() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(
                            List.of(new NewTopic("target", 1, (short) 1).configs(Map.of("max.message.bytes", "2000"))))
                    .all()
                    .get();
        }
    }

    private static MemoryRecords batch(int valueBytes) {
        return MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), new byte[valueBytes]));
    }

    private static ProduceResponseData.PartitionProduceResponse produce(
            String topic, int partition, MemoryRecords records) throws Exception {
        ProduceRequestData req = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(records));
        req.topicData().add(td);
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(ApiKeys.PRODUCE, PRODUCE_V, req);
            ProduceResponseData resp = new ProduceResponseData(
                    new ByteBufferAccessor(c.receive(corr, ApiKeys.PRODUCE.responseHeaderVersion(PRODUCE_V))),
                    PRODUCE_V);
            return resp.responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static long endOffset() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            TopicPartition tp = new TopicPartition("target", 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                    .all()
                    .get()
                    .get(tp)
                    .offset();
        }
    }

    @Test
    void validBatchIsAppended() throws Exception {
        long before = endOffset();
        ProduceResponseData.PartitionProduceResponse r = produce("target", 0, batch(100));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.baseOffset()).isEqualTo(before);
        assertThat(endOffset()).isEqualTo(before + 1);
    }

    @Test
    void batchOverMaxMessageBytesIsMessageTooLargeAndNotAppended() throws Exception {
        long before = endOffset();
        ProduceResponseData.PartitionProduceResponse r = produce("target", 0, batch(5000));
        assertThat(r.errorCode()).isEqualTo(Errors.MESSAGE_TOO_LARGE.code());
        assertThat(endOffset()).isEqualTo(before);
    }

    @Test
    void batchWithBadCrcIsCorruptMessageAndNotAppended() throws Exception {
        long before = endOffset();
        MemoryRecords records = batch(100);
        ByteBuffer b = records.buffer();
        b.put(b.limit() - 3, (byte) (b.get(b.limit() - 3) ^ 0x5a)); // inside the CRC-covered bytes
        ProduceResponseData.PartitionProduceResponse r = produce("target", 0, MemoryRecords.readableRecords(b));
        assertThat(r.errorCode()).isEqualTo(Errors.CORRUPT_MESSAGE.code());
        assertThat(endOffset()).isEqualTo(before);
    }

    @Test
    void unknownTopicAndNegativePartitionAreUnknownTopicOrPartition() throws Exception {
        assertThat(produce("no-such-topic", 0, batch(10)).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        long before = endOffset();
        assertThat(produce("target", -1, batch(10)).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(produce("target", 7, batch(10)).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(endOffset()).isEqualTo(before);
    }

    @Test
    void produceToADeletedTopicIsUnknownTopicOrPartition() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("short-lived", 1, (short) 1)))
                    .all()
                    .get();
            assertThat(produce("short-lived", 0, batch(10)).errorCode()).isEqualTo(Errors.NONE.code());
            admin.deleteTopics(List.of("short-lived")).all().get();
        }
        assertThat(produce("short-lived", 0, batch(10)).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void fetchBeyondTheLogEndIsOffsetOutOfRange() throws Exception {
        long end = endOffset();
        FetchRequestData req = new FetchRequestData()
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(0)
                .setSessionEpoch(-1);
        req.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic("target")
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(end + 100)
                                .setPartitionMaxBytes(1 << 20))));
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(ApiKeys.FETCH, FETCH_V, req);
            FetchResponseData resp = new FetchResponseData(
                    new ByteBufferAccessor(c.receive(corr, ApiKeys.FETCH.responseHeaderVersion(FETCH_V))), FETCH_V);
            FetchResponseData.PartitionData p =
                    resp.responses().get(0).partitions().get(0);
            assertThat(p.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
            // Apache Kafka 4.3.1 answers a failed read with no offsets: -1, not the partition's high watermark.
            assertThat(p.highWatermark()).isEqualTo(-1L);
            assertThat(p.logStartOffset()).isEqualTo(-1L);
        }
    }

    @Test
    void truncatedFrameLeavesOtherConnectionsServed() throws Exception {
        try (RawConnection bad = new RawConnection("127.0.0.1", BROKER.port())) {
            bad.sendRaw(
                    ByteBuffer.allocate(4 + 20).putInt(200).put(new byte[20]).array());
        } // closed by the client mid-frame
        assertThat(produce("target", 0, batch(10)).errorCode()).isEqualTo(Errors.NONE.code());
    }
}
