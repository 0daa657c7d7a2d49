package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batches in every codec kafka-clients writes are accepted, stored (recompressed when the
 * topic's compression.type says so, verified in the segment file itself) and read back; bad
 * compressed data gets the errors of Apache Kafka (or, for corrupt payloads, CORRUPT_MESSAGE).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CompressionCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static final List<String> PRODUCER_CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private static int codecId(String name) {
        return switch (name) {
            case "none", "uncompressed" -> 0;
            case "gzip" -> 1;
            case "snappy" -> 2;
            case "lz4" -> 3;
            case "zstd" -> 4;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"})
    void everyProducerCodecIsStoredAsTheTopicSaysAndReadsBack(String topicCodec) throws Exception {
        for (String producerCodec : PRODUCER_CODECS) {
            String topic = "codec-" + producerCodec + "-to-" + topicCodec;
            try (Admin admin = Clients.admin(BROKER)) {
                admin.createTopics(List.of(
                                new NewTopic(topic, 1, (short) 1).configs(Map.of("compression.type", topicCodec))))
                        .all()
                        .get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, producerCodec);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            int n = 400;
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>(
                            topic,
                            ("key-" + i).getBytes(StandardCharsets.UTF_8),
                            ("value " + i + " ".repeat(i % 50)).getBytes(StandardCharsets.UTF_8)));
                }
            }
            try (KafkaConsumer<byte[], byte[]> consumer =
                    Clients.consumer(BROKER.bootstrapServers(), new Properties())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<ConsumerRecord<byte[], byte[]>> records = Clients.readAll(consumer, n);
                assertThat(records)
                        .as("%s produced into a %s topic", producerCodec, topicCodec)
                        .hasSize(n);
                for (int i = 0; i < n; i++) {
                    assertThat(records.get(i).offset()).isEqualTo(i);
                    assertThat(new String(records.get(i).value(), StandardCharsets.UTF_8))
                            .isEqualTo("value " + i + " ".repeat(i % 50));
                }
            }
            int expected = topicCodec.equals("producer") ? codecId(producerCodec) : codecId(topicCodec);
            assertThat(storedCodecs(topic))
                    .as("codecs stored for %s into %s", producerCodec, topicCodec)
                    .containsExactly(expected);
        }
    }

    /** The codec of every batch in the topic's first segment, read from the file itself. */
    private static Set<Integer> storedCodecs(String topic) throws Exception {
        Path log = BROKER.dataDir().resolve(topic + "-0").resolve("00000000000000000000.log");
        byte[] bytes = Files.readAllBytes(log);
        Set<Integer> codecs = new HashSet<>();
        RecordBatch batch = new RecordBatch();
        int at = 0;
        while (at + RecordBatchDescriptor.HEADER_SIZE <= bytes.length) {
            batch.wrap(Unpooled.wrappedBuffer(bytes), at);
            if (batch.batchLength() <= 0) {
                break;
            }
            assertThat(batch.isValid())
                    .as("stored batch at %d has a valid CRC", at)
                    .isTrue();
            codecs.add(batch.compressionCodecId());
            at += batch.sizeInBytes();
        }
        return codecs;
    }

    private static ProduceResponseData.PartitionProduceResponse produce(
            String topic, MemoryRecords records, short version) throws Exception {
        ProduceRequestData req = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        req.topicData().add(td);
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(ApiKeys.PRODUCE, version, req);
            ProduceResponseData resp = new ProduceResponseData(
                    new ByteBufferAccessor(c.receive(corr, ApiKeys.PRODUCE.responseHeaderVersion(version))), version);
            return resp.responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static MemoryRecords batch(Compression c, int count, int valueSize) {
        SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            rs[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(), new byte[valueSize]);
        }
        return MemoryRecords.withRecords(c, rs);
    }

    /** The batch with its records area replaced, length and CRC fixed. */
    private static MemoryRecords withPayload(MemoryRecords orig, byte[] payload) {
        ByteBuffer o = orig.buffer().duplicate();
        ByteBuffer b = ByteBuffer.allocate(RecordBatchDescriptor.RECORDS_OFFSET + payload.length);
        byte[] header = new byte[RecordBatchDescriptor.RECORDS_OFFSET];
        o.get(header);
        b.put(header).put(payload).flip();
        b.putInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, b.limit() - RecordBatchDescriptor.LOG_OVERHEAD);
        new RecordBatch().wrap(Unpooled.wrappedBuffer(b), 0).updateCrc();
        return MemoryRecords.readableRecords(b);
    }

    private static void createTopic(String name) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(
                            List.of(new NewTopic(name, 1, (short) 1).configs(Map.of("max.message.bytes", "10000000"))))
                    .all()
                    .get();
        }
    }

    private static long endOffset(String topic) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(BROKER.bootstrapServers(), new Properties())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    @Test
    void corruptCompressedPayloadIsCorruptMessageAndWritesNothing() throws Exception {
        createTopic("corrupt");
        for (Compression c : List.of(
                Compression.gzip().build(),
                Compression.snappy().build(),
                Compression.lz4().build(),
                Compression.zstd().build())) {
            byte[] garbage = new byte[64];
            new java.util.Random(5).nextBytes(garbage);
            ProduceResponseData.PartitionProduceResponse r =
                    produce("corrupt", withPayload(batch(c, 10, 100), garbage), (short) 9);
            assertThat(r.errorCode()).as("garbage %s payload", c.type()).isEqualTo(Errors.CORRUPT_MESSAGE.code());
        }
        assertThat(endOffset("corrupt")).isZero();
        assertThat(produce("corrupt", batch(Compression.zstd().build(), 3, 10), (short) 9)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void fewerRecordsThanTheHeaderCountIsInvalidRecord() throws Exception {
        createTopic("short-count");
        MemoryRecords five = batch(Compression.lz4().build(), 5, 100);
        ByteBuffer fb = five.buffer();
        byte[] payload = new byte[fb.limit() - RecordBatchDescriptor.RECORDS_OFFSET];
        fb.position(RecordBatchDescriptor.RECORDS_OFFSET);
        fb.get(payload);
        ProduceResponseData.PartitionProduceResponse r =
                produce("short-count", withPayload(batch(Compression.lz4().build(), 10, 100), payload), (short) 9);
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_RECORD.code());
        assertThat(endOffset("short-count")).isZero();
    }

    @Test
    void decompressionBombIsRejectedAndTheBrokerKeepsServing() throws Exception {
        createTopic("bomb");
        // 200 MiB of zeros in one record compress to a few KiB, well under max.message.bytes.
        MemoryRecords bomb = MemoryRecords.withRecords(
                Compression.zstd().build(),
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), new byte[200 << 20]));
        assertThat(bomb.sizeInBytes()).isLessThan(100_000);
        ProduceResponseData.PartitionProduceResponse r = produce("bomb", bomb, (short) 9);
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_RECORD.code());
        assertThat(endOffset("bomb")).isZero();
        assertThat(produce("bomb", batch(Compression.zstd().build(), 3, 10), (short) 9)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void zstdNeedsProduceVersion7AndFetchVersion10() throws Exception {
        createTopic("zstd-versions");
        assertThat(produce("zstd-versions", batch(Compression.zstd().build(), 3, 10), (short) 6)
                        .errorCode())
                .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE.code());
        assertThat(endOffset("zstd-versions")).isZero();
        assertThat(produce("zstd-versions", batch(Compression.zstd().build(), 3, 10), (short) 7)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
        for (short version : new short[] {9, 10}) {
            FetchRequestData req = new FetchRequestData()
                    .setMaxWaitMs(0)
                    .setMinBytes(1)
                    .setMaxBytes(1 << 20)
                    .setSessionId(0)
                    .setSessionEpoch(-1);
            req.topics()
                    .add(new FetchRequestData.FetchTopic()
                            .setTopic("zstd-versions")
                            .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                    .setPartition(0)
                                    .setFetchOffset(0)
                                    .setPartitionMaxBytes(1 << 20))));
            try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
                int corr = c.send(ApiKeys.FETCH, version, req);
                FetchResponseData resp = new FetchResponseData(
                        new ByteBufferAccessor(c.receive(corr, ApiKeys.FETCH.responseHeaderVersion(version))), version);
                FetchResponseData.PartitionData p =
                        resp.responses().get(0).partitions().get(0);
                if (version < 10) {
                    assertThat(p.errorCode()).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE.code());
                } else {
                    assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
                    assertThat(((MemoryRecords) p.records()).sizeInBytes()).isPositive();
                }
            }
        }
    }

    @Test
    void unknownCodecIdGetsKafkasAnswer() throws Exception {
        createTopic("codec-6");
        MemoryRecords u = batch(Compression.NONE, 2, 10);
        ByteBuffer b = u.buffer();
        b.putShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET, (short)
                (b.getShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET) | 6));
        new RecordBatch().wrap(Unpooled.wrappedBuffer(b), 0).updateCrc();
        assertThat(produce("codec-6", MemoryRecords.readableRecords(b), (short) 9)
                        .errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(endOffset("codec-6")).isZero();
    }

    @Test
    void offsetsForTimesFindsTheExactRecordInsideACompressedBatch() throws Exception {
        createTopic("timed-zstd");
        long base = System.currentTimeMillis() - 60_000;
        SimpleRecord[] rs = new SimpleRecord[20];
        for (int i = 0; i < rs.length; i++) {
            rs[i] = new SimpleRecord(base + i * 100L, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        assertThat(produce(
                                "timed-zstd",
                                MemoryRecords.withRecords(Compression.zstd().build(), rs),
                                (short) 9)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(BROKER.bootstrapServers(), new Properties())) {
            TopicPartition tp = new TopicPartition("timed-zstd", 0);
            var found = consumer.offsetsForTimes(Map.of(tp, base + 1250L)).get(tp);
            assertThat(found.offset()).isEqualTo(13);
            assertThat(found.timestamp()).isEqualTo(base + 1300L);
        }
    }

    @Test
    void levelsOfKip390AreAcceptedAsTopicConfigs() throws Exception {
        String topic = "leveled";
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of("compression.type", "zstd", "compression.zstd.level", "10"))))
                    .all()
                    .get();
        }
        List<ProduceResponseData.PartitionProduceResponse> out = new ArrayList<>();
        out.add(produce(topic, batch(Compression.NONE, 50, 500), (short) 9));
        assertThat(out.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(storedCodecs(topic)).containsExactly(4);
    }
}
