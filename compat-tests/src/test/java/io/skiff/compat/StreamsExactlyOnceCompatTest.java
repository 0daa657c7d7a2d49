package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams with {@code processing.guarantee=exactly_once_v2} on Skiff: a count per key behind a
 * repartition topic, its state in a changelog, two instances of the application, one of them
 * stopped and replaced half way. With the record cache off every update is emitted, so under
 * exactly-once the committed output of each key is exactly 1, 2, ..., n: a record processed twice
 * would repeat a count, one lost would skip one.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StreamsExactlyOnceCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("group.initial.rebalance.delay.ms", "0");

    private static final String APP = "skiff-eos-count";
    private static final String INPUT = "eos-in";
    private static final String OUTPUT = "eos-out";
    private static final int KEYS = 10;
    private static final int RECORDS = 2000;

    @Test
    void exactlyOnceCountSurvivesTheReplacementOfOneInstance(@TempDir Path dir) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(INPUT, 2, (short) 1), new NewTopic(OUTPUT, 2, (short) 1)))
                    .all()
                    .get();
        }
        Map<String, List<Long>> counts = new HashMap<>();
        KafkaStreams first = start(dir, "a");
        KafkaStreams second = start(dir, "b");
        try (KafkaConsumer<String, String> reader = committedReader()) {
            produce(0, RECORDS / 2);
            awaitCounts(reader, counts, RECORDS / 2);
            second.close(Duration.ofSeconds(30));
            second = start(dir, "c");
            produce(RECORDS / 2, RECORDS);
            awaitCounts(reader, counts, RECORDS);
        } finally {
            first.close(Duration.ofSeconds(30));
            second.close(Duration.ofSeconds(30));
        }
        for (int k = 0; k < KEYS; k++) {
            List<Long> expected = new ArrayList<>();
            for (long n = 1; n <= RECORDS / KEYS; n++) {
                expected.add(n);
            }
            assertThat(counts.get("key-" + k))
                    .as("committed counts of key-" + k)
                    .containsExactlyElementsOf(expected);
        }
    }

    /** Input values name the key they are counted under, so the count needs a repartition. */
    private static void produce(int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", BROKER.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(INPUT, "record-" + i, "key-" + (i % KEYS)));
            }
            producer.flush();
        }
    }

    private static KafkaStreams start(Path dir, String instance) throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createDirectories(dir.resolve("state-" + instance)).toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(INPUT)
                .groupBy((k, v) -> v)
                .count()
                .toStream()
                .mapValues(Object::toString)
                .to(OUTPUT);
        Topology topology = builder.build();
        KafkaStreams streams = new KafkaStreams(topology, p);
        streams.start();
        return streams;
    }

    private static KafkaConsumer<String, String> committedReader() {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "eos-reader");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(OUTPUT));
        return c;
    }

    /** Reads committed output until the counts add up to {@code total} input records (or 120 s pass). */
    private static void awaitCounts(KafkaConsumer<String, String> reader, Map<String, List<Long>> counts, int total) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && latestSum(counts) < total) {
            for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                counts.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Long.parseLong(r.value()));
            }
        }
        assertThat(latestSum(counts)).as("sum of the latest committed counts").isEqualTo(total);
    }

    private static long latestSum(Map<String, List<Long>> counts) {
        long sum = 0;
        for (List<Long> c : counts.values()) {
            sum += c.get(c.size() - 1);
        }
        return sum;
    }
}
