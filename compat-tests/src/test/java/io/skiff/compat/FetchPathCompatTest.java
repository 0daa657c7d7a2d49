package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.ZeroCopyStats;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fetch path: records leave by sendfile, never copied; long polls are woken by appends. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FetchPathCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @Test
    void recordBytesAreSentAsFileRegionsAndNeverCopied() throws Exception {
        String topic = "zero-copy";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        byte[] value = new byte[1000];
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(BROKER.bootstrapServers(), "all")) {
            for (int i = 0; i < 2000; i++) {
                producer.send(new ProducerRecord<>(topic, value));
            }
        }
        long regionBefore = ZeroCopyStats.fileRegionBytes();
        long copiedBefore = ZeroCopyStats.copiedBytes();
        long valueBytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(500)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> records = Clients.readAll(consumer, 2000);
            assertThat(records).hasSize(2000);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                valueBytes += r.value().length;
            }
        }
        long sent = ZeroCopyStats.fileRegionBytes() - regionBefore;
        assertThat(sent).as("record bytes sent as file regions").isGreaterThanOrEqualTo(valueBytes);
        assertThat(ZeroCopyStats.copiedBytes() - copiedBefore)
                .as("record bytes copied through the heap")
                .isZero();
    }

    @Test
    void aLongPollIsWokenByAnAppend() throws Exception {
        String topic = "long-poll";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        // fetch.max.wait.ms far beyond this test's timeout: only an append can end the poll in time.
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(300_000)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            consumer.poll(Duration.ofMillis(100)); // the first fetch is now parked on the empty log
            CompletableFuture<Void> produced = CompletableFuture.runAsync(() -> {
                try (KafkaProducer<byte[], byte[]> producer = Clients.producer(BROKER.bootstrapServers(), "1")) {
                    producer.send(new ProducerRecord<>(topic, "wake".getBytes()))
                            .get();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ConsumerRecords<byte[], byte[]> got = ConsumerRecords.empty();
            while (got.isEmpty()) {
                got = consumer.poll(Duration.ofSeconds(1));
            }
            produced.get();
            assertThat(new String(got.iterator().next().value())).isEqualTo("wake");
            // The next fetch is parked for minutes; do not wait for it on close.
            consumer.close(Duration.ofMillis(100));
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(int fetchMaxWaitMs) {
        Properties p = new Properties();
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(30_000, fetchMaxWaitMs + 5_000));
        return Clients.consumer(BROKER.bootstrapServers(), p);
    }
}
