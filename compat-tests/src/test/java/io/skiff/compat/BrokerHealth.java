package io.skiff.compat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The fuzzer's proof that a broker still serves normal clients: on a fresh connection, a
 * Metadata request for the health topic, an acks=all Produce of one record with a unique value,
 * and a Fetch from the offset it got that must return that record. Requests are kafka-clients'
 * own message classes. Throws {@link AssertionError} naming what was wrong. Not thread-safe.
 */
final class BrokerHealth {
    static final String TOPIC = "fuzz-health";
    private static final short METADATA_VERSION = 12;
    private static final short PRODUCE_VERSION = 9;
    private static final short FETCH_VERSION = 12;

    private final int port;
    private long checks;

    BrokerHealth(int port) {
        this.port = port;
    }

    void check() throws Exception {
        checks++;
        try (RawConnection c = new RawConnection("127.0.0.1", port)) {
            metadata(c);
            byte[] value = ("health-" + checks + "-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            long offset = produce(c, value);
            fetch(c, offset, value);
        }
    }

    private static void metadata(RawConnection c) throws Exception {
        MetadataRequestData req = new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))
                .setAllowAutoTopicCreation(false);
        int id = c.send(ApiKeys.METADATA, METADATA_VERSION, req);
        ByteBuffer buf = c.receive(id, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION));
        MetadataResponseData resp = new MetadataResponseData(new ByteBufferAccessor(buf), METADATA_VERSION);
        MetadataResponseData.MetadataResponseTopic t = resp.topics().find(TOPIC);
        if (resp.brokers().isEmpty()
                || t == null
                || t.errorCode() != 0
                || t.partitions().size() != 1
                || t.partitions().get(0).leaderId() < 0) {
            throw new AssertionError("Metadata for " + TOPIC + " is wrong: " + resp);
        }
    }

    private static long produce(RawConnection c, byte[] value) throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value));
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        req.topicData()
                .add(new ProduceRequestData.TopicProduceData()
                        .setName(TOPIC)
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(records))));
        int id = c.send(ApiKeys.PRODUCE, PRODUCE_VERSION, req);
        ByteBuffer buf = c.receive(id, ApiKeys.PRODUCE.responseHeaderVersion(PRODUCE_VERSION));
        ProduceResponseData resp = new ProduceResponseData(new ByteBufferAccessor(buf), PRODUCE_VERSION);
        ProduceResponseData.PartitionProduceResponse p =
                resp.responses().iterator().next().partitionResponses().get(0);
        if (p.errorCode() != 0 || p.baseOffset() < 0) {
            throw new AssertionError("Produce to " + TOPIC + " failed: " + Errors.forCode(p.errorCode()) + " " + resp);
        }
        return p.baseOffset();
    }

    private static void fetch(RawConnection c, long offset, byte[] value) throws Exception {
        FetchRequestData req = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(TOPIC)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)))));
        int id = c.send(ApiKeys.FETCH, FETCH_VERSION, req);
        ByteBuffer buf = c.receive(id, ApiKeys.FETCH.responseHeaderVersion(FETCH_VERSION));
        FetchResponseData resp = new FetchResponseData(new ByteBufferAccessor(buf), FETCH_VERSION);
        FetchResponseData.PartitionData p = resp.responses().get(0).partitions().get(0);
        if (p.errorCode() != 0 || !(p.records() instanceof MemoryRecords)) {
            throw new AssertionError("Fetch from " + TOPIC + " failed: " + Errors.forCode(p.errorCode()));
        }
        for (Record rec : ((MemoryRecords) p.records()).records()) {
            if (rec.offset() == offset) {
                byte[] got = new byte[rec.valueSize()];
                rec.value().get(got);
                if (!Arrays.equals(got, value)) {
                    throw new AssertionError("Fetch at " + offset + " returned another value");
                }
                return;
            }
        }
        throw new AssertionError("Fetch at " + offset + " did not return the record just produced");
    }
}
