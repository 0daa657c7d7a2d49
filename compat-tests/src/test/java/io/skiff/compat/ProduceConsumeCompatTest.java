package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kafka-clients' producer, consumer and admin client against Skiff, unmodified. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProduceConsumeCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    static KafkaProducer<byte[], byte[]> producer(String acks) {
        return Clients.producer(BROKER.bootstrapServers(), acks);
    }

    static KafkaConsumer<byte[], byte[]> consumer() {
        return Clients.consumer(BROKER.bootstrapServers(), new Properties());
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConsumer<byte[], byte[]> c, int expected) {
        return Clients.readAll(c, expected);
    }

    @Test
    void roundTripKeepsKeysHeadersNullValuesTimestampsAndOrderPerPartition() throws Exception {
        String topic = "round-trip";
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        int n = 3000;
        long baseTs = System.currentTimeMillis() - 10_000;
        Map<Integer, List<Integer>> sentPerPartition = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer("all")) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int partition = i % 3;
                byte[] value = i % 10 == 0 ? null : ("value-" + i).getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(
                        topic, partition, baseTs + i, ("key-" + i).getBytes(StandardCharsets.UTF_8), value);
                r.headers().add(new RecordHeader("h", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                acks.add(producer.send(r));
                sentPerPartition
                        .computeIfAbsent(partition, k -> new ArrayList<>())
                        .add(i);
            }
            for (var f : acks) {
                assertThat(f.get().offset()).isNotNegative();
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> tps =
                    List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<ConsumerRecord<byte[], byte[]>> records = readAll(consumer, n);
            assertThat(records).hasSize(n);
            Map<Integer, List<Integer>> readPerPartition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                int i = Integer.parseInt(new String(r.key(), StandardCharsets.UTF_8).substring(4));
                readPerPartition
                        .computeIfAbsent(r.partition(), k -> new ArrayList<>())
                        .add(i);
                assertThat(r.timestamp()).isEqualTo(baseTs + i);
                assertThat(new String(r.headers().lastHeader("h").value(), StandardCharsets.UTF_8))
                        .isEqualTo(Integer.toString(i));
                if (i % 10 == 0) {
                    assertThat(r.value()).isNull();
                } else {
                    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("value-" + i);
                }
            }
            assertThat(readPerPartition).isEqualTo(sentPerPartition);
        }
    }

    @Test
    void everyAcksSettingDelivers() throws Exception {
        for (String acks : List.of("0", "1", "all")) {
            String topic = "acks-" + acks;
            try (Admin admin = Clients.admin(BROKER)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get();
            }
            try (KafkaProducer<byte[], byte[]> producer = producer(acks)) {
                for (int i = 0; i < 200; i++) {
                    producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<ConsumerRecord<byte[], byte[]>> records = readAll(consumer, 200);
                assertThat(records).as("acks=%s", acks).hasSize(200);
                for (int i = 0; i < 200; i++) {
                    assertThat(records.get(i).offset()).isEqualTo(i);
                    assertThat(new String(records.get(i).value(), StandardCharsets.UTF_8))
                            .isEqualTo("v" + i);
                }
            }
        }
    }

    @Test
    void seekToEndAndOffsetsForTimesFindTheRightOffsets() throws Exception {
        String topic = "seek";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        long base = System.currentTimeMillis() - 100_000;
        try (KafkaProducer<byte[], byte[]> producer = producer("all")) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(
                        topic, 0, base + i * 1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            assertThat(consumer.position(tp)).isEqualTo(100);
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.position(tp)).isEqualTo(0);
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 41_500L));
            assertThat(found.get(tp).offset()).isEqualTo(42);
            assertThat(found.get(tp).timestamp()).isEqualTo(base + 42_000L);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 1_000_000L)).get(tp))
                    .isNull();
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isEqualTo(0);
            assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(100);
        }
    }

    @Test
    void deleteRecordsAdvancesTheStartAndDescribeLogDirsReportsSizes() throws Exception {
        String topic = "trim";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = producer("all")) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(20)))
                    .lowWatermarks()
                    .get(tp)
                    .get()
                    .lowWatermark();
            assertThat(low).isEqualTo(20);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isEqualTo(20);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<ConsumerRecord<byte[], byte[]>> records = readAll(consumer, 30);
                assertThat(records.get(0).offset()).isEqualTo(20);
            }
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(
                            List.of(BROKER.broker().nodeId()))
                    .allDescriptions()
                    .get();
            LogDirDescription dir =
                    dirs.get(BROKER.broker().nodeId()).values().iterator().next();
            assertThat(dir.replicaInfos().get(tp).size()).isPositive();
            assertThat(dir.totalBytes()).isPresent();
        }
    }

    @Test
    void everythingIsReadBackAfterARestart() throws Exception {
        String topic = "restart";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = producer("all")) {
            for (int i = 0; i < 500; i++) {
                producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        BROKER.restart();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> records = readAll(consumer, 500);
            assertThat(records).hasSize(500);
            assertThat(new String(records.get(499).value(), StandardCharsets.UTF_8))
                    .isEqualTo("v499");
        }
        try (KafkaProducer<byte[], byte[]> producer = producer("all")) {
            assertThat(producer.send(new ProducerRecord<>(topic, "after".getBytes(StandardCharsets.UTF_8)))
                            .get()
                            .offset())
                    .isEqualTo(500);
        }
    }
}
