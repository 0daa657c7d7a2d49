package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams, unmodified, on a Skiff broker process: a KTable aggregation (the count of updates
 * and the latest value of each key) in a persistent store backed by a changelog topic that Streams
 * creates compacted. Many updates over few keys are written; Skiff's cleaner compacts the changelog
 * (its first record, superseded, is gone while the log start offset is still 0); the app is closed,
 * its local state directory deleted and the app started again: it restores the store from the
 * compacted changelog, reading fewer records than were written to it, and interactive queries show
 * exactly each key's count and latest value.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamsKTableRestoreCompatTest {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsKTableRestoreCompatTest.class);
    private static final String APP = "skiff-ktable";
    private static final String INPUT = "ktable-updates";
    private static final String STORE = "latest-per-key";
    private static final String CHANGELOG = APP + "-" + STORE + "-changelog";
    private static final TopicPartition CHANGELOG_TP = new TopicPartition(CHANGELOG, 0);
    private static final int KEYS = 20;
    private static final int UPDATES_PER_ROUND = 400;
    private static final int MIN_ROUNDS = 10;

    /** Kept when the test fails: the broker's output is in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** Counts what Streams restores into the store. Thread-safe. */
    private static final class RestoreCounter implements StateRestoreListener {
        final AtomicLong restored = new AtomicLong();
        final AtomicBoolean ended = new AtomicBoolean();

        @Override
        public void onRestoreStart(TopicPartition tp, String storeName, long startingOffset, long endingOffset) {}

        @Override
        public void onBatchRestored(TopicPartition tp, String storeName, long batchEndOffset, long numRestored) {
            restored.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition tp, String storeName, long totalRestored) {
            ended.set(true);
        }
    }

    @Test
    void aKTableRestoresExactlyTheLatestValuesFromItsCompactedChangelog() throws Exception {
        Path stateDir = dir.resolve("state");
        Map<String, String> model = new HashMap<>();
        try (SkiffProcess broker = new SkiffProcess(Files.createDirectories(dir.resolve("broker")))
                .with("log.cleaner.backoff.ms", "100")
                .with("group.initial.rebalance.delay.ms", "0")) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            long written;
            try (Admin admin = Clients.admin(bootstrap);
                    KafkaProducer<String, String> producer = producer(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1)))
                        .all()
                        .get();
                KafkaStreams app = new KafkaStreams(topology(), props(bootstrap, stateDir));
                boolean closed;
                try {
                    app.start();
                    await(
                            "the changelog exists",
                            () -> admin.listTopics().names().get().contains(CHANGELOG));
                    ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, CHANGELOG);
                    assertThat(admin.describeConfigs(List.of(changelog))
                                    .all()
                                    .get()
                                    .get(changelog)
                                    .get("cleanup.policy")
                                    .value())
                            .isEqualTo("compact");
                    // every append after 100 ms rolls a segment; any dirt is worth cleaning
                    admin.incrementalAlterConfigs(Map.of(
                                    changelog,
                                    List.of(set("segment.ms", "100"), set("min.cleanable.dirty.ratio", "0.01"))))
                            .all()
                            .get();
                    await("the app runs", () -> app.state() == KafkaStreams.State.RUNNING);
                    int round = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (round < MIN_ROUNDS || !firstRecordCleanedAway(bootstrap)) {
                        assertThat(System.nanoTime())
                                .as("the changelog is cleaned within 60 s")
                                .isLessThan(deadline);
                        int fed = round++;
                        feedRound(producer, fed, model);
                        await(() -> "the store holds round " + fed + "'s model", () -> model.equals(query(app)));
                    }
                } finally {
                    // leaving the group lets the next instance take the task without a session timeout
                    closed = app.close(
                            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                                    .withTimeout(Duration.ofSeconds(30)));
                }
                assertThat(closed).as("the app closed within 30 s").isTrue();
                written = endOffset(bootstrap);
                // no cache and no transactions: each update is one changelog record at its own offset
                assertThat(written).isGreaterThanOrEqualTo((long) MIN_ROUNDS * UPDATES_PER_ROUND);
            }
            deleteRecursively(stateDir);
            assertThat(stateDir).doesNotExist();

            RestoreCounter counter = new RestoreCounter();
            try (KafkaStreams app = new KafkaStreams(topology(), props(bootstrap, stateDir))) {
                app.setGlobalStateRestoreListener(counter);
                app.start();
                await("the app runs", () -> app.state() == KafkaStreams.State.RUNNING);
                await("the store restored", counter.ended::get);
                await(() -> "the restored store holds the model " + model, () -> model.equals(query(app)));
            }
            LOG.info("Restored {} records of the {} written to {}", counter.restored.get(), written, CHANGELOG);
            assertThat(counter.restored.get())
                    .as("records restored from a changelog of %d", written)
                    .isGreaterThanOrEqualTo(KEYS)
                    .isLessThan(written);
        }
    }

    private static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(INPUT)
                .groupByKey()
                .aggregate(
                        () -> "0:",
                        (key, value, agg) -> (count(agg) + 1) + ":" + value,
                        Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(Serdes.String()));
        return builder.build();
    }

    private static long count(String aggregate) {
        return Long.parseLong(aggregate.substring(0, aggregate.indexOf(':')));
    }

    private static Properties props(String bootstrap, Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // no record cache: every update reaches the changelog, so there is much for the cleaner to remove
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return p;
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Writes a round of updates over the keys and records each key's count and latest value. */
    private static void feedRound(KafkaProducer<String, String> producer, int round, Map<String, String> model)
            throws Exception {
        for (int i = 0; i < UPDATES_PER_ROUND; i++) {
            String key = "key-" + (i % KEYS);
            String value = "round-" + round + "-update-" + i;
            producer.send(new ProducerRecord<>(INPUT, key, value));
            model.merge(key, "1:" + value, (old, ignored) -> (count(old) + 1) + ":" + value);
        }
        producer.flush();
    }

    /** Everything the app's store holds, through interactive queries; null while it cannot be queried. */
    private static Map<String, String> query(KafkaStreams app) {
        try {
            ReadOnlyKeyValueStore<String, String> store =
                    app.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
            Map<String, String> out = new HashMap<>();
            try (KeyValueIterator<String, String> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, String> kv = it.next();
                    out.put(kv.key, kv.value);
                }
            }
            return out;
        } catch (InvalidStateStoreException notYet) {
            return null;
        }
    }

    /**
     * Whether the changelog's record at offset 0 (the first update of a key, superseded since) is gone
     * while the log still starts at 0: compaction removed it, not retention or DeleteRecords.
     */
    private static boolean firstRecordCleanedAway(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            c.assign(List.of(CHANGELOG_TP));
            assertThat(c.beginningOffsets(List.of(CHANGELOG_TP)).get(CHANGELOG_TP))
                    .isZero();
            c.seekToBeginning(List.of(CHANGELOG_TP));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<byte[], byte[]>> records =
                        c.poll(Duration.ofMillis(200)).records(CHANGELOG_TP);
                if (!records.isEmpty()) {
                    return records.get(0).offset() > 0;
                }
            }
            throw new AssertionError("nothing read from " + CHANGELOG_TP);
        }
    }

    private static long endOffset(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            return c.endOffsets(List.of(CHANGELOG_TP)).get(CHANGELOG_TP);
        }
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        await(() -> what, condition);
    }

    private static void await(Supplier<String> what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            assertThat(System.nanoTime())
                    .as(() -> "waiting until " + what.get())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
