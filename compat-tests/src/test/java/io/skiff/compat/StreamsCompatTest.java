package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams, unmodified, on Skiff: a word count with a repartition topic and a
 * changelog-backed state store (internal topics created by Streams, a consumer group with the
 * Streams assignor, at-least-once commits).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamsCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("group.initial.rebalance.delay.ms", "0");

    @Test
    void wordCountCountsEveryWordOnce(@TempDir Path stateDir) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(
                            List.of(new NewTopic("words-in", 2, (short) 1), new NewTopic("counts-out", 2, (short) 1)))
                    .all()
                    .get();
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "skiff-wordcount");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createDirectories(stateDir.resolve("state")).toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream("words-in")
                .flatMapValues(v -> Arrays.asList(v.toLowerCase().split("\\W+")))
                .groupBy((k, word) -> word)
                .count()
                .toStream()
                .mapValues(Object::toString)
                .to("counts-out");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
            streams.start();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", BROKER.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("words-in", "line-" + i, "hello world hello skiff"))
                            .get();
                }
            }
            Map<String, String> latest = new HashMap<>();
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "counts-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("counts-out"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() < deadline
                        && !(latest.getOrDefault("hello", "").equals("200")
                                && latest.getOrDefault("skiff", "").equals("100")
                                && latest.getOrDefault("world", "").equals("100"))) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        latest.put(r.key(), r.value());
                    }
                }
            }
            assertThat(latest)
                    .containsEntry("hello", "200")
                    .containsEntry("world", "100")
                    .containsEntry("skiff", "100");
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
        try (Admin admin = Clients.admin(BROKER)) {
            assertThat(admin.listTopics().names().get())
                    .anyMatch(t -> t.startsWith("skiff-wordcount-") && t.endsWith("-changelog"))
                    .anyMatch(t -> t.startsWith("skiff-wordcount-") && t.endsWith("-repartition"));
        }
    }
}
