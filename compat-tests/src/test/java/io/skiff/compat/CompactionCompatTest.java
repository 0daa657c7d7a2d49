package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A compacted topic on a broker process, cleaned by its cleaner thread: 200,000 updates over 2,000
 * keys and tombstones for 200 of them, kept uncleaned by min.compaction.lag.ms until that is lowered
 * with IncrementalAlterConfigs, then read back by kafka-clients (the latest value of every live
 * key, no deleted key once delete.retention.ms passed, offsets increasing), DescribeLogDirs sizes
 * that shrink, and the cleaned segments and indexes read by Kafka's DumpLogSegments. The producer is
 * kafka-clients' default (idempotent, acks=all), uncompressed or with lz4 or zstd, so that cleaned
 * compressed batches are rewritten in their codec and producers' last batches are kept.
 */
@Timeout(300)
class CompactionCompatTest {
    private static final String TOPIC = "compacted";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KEYS = 2_000;
    private static final int UPDATES = 200_000;
    private static final int DELETED = 200;

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long sizeOnBroker(Admin admin) throws Exception {
        return admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values().stream()
                .mapToLong(d -> d.replicaInfos().containsKey(TP)
                        ? d.replicaInfos().get(TP).size()
                        : 0)
                .sum();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readFromStart(String bootstrap) {
        return readFromStart(bootstrap, TP);
    }

    /** Every record of {@code tp} from the beginning, in offset order; checks offsets increase. */
    static List<ConsumerRecord<byte[], byte[]>> readFromStart(String bootstrap, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertThat(c.position(tp)).isEqualTo(end);
            for (int i = 1; i < out.size(); i++) {
                assertThat(out.get(i).offset()).isGreaterThan(out.get(i - 1).offset());
            }
            return out;
        }
    }

    private static void fill(KafkaProducer<byte[], byte[]> producer, int count, Map<String, String> model)
            throws Exception {
        for (int i = 0; i < count; i++) {
            String k = "key-" + (DELETED + i % (KEYS - DELETED));
            String v = "filler-" + System.nanoTime();
            producer.send(new ProducerRecord<>(TOPIC, bytes(k), bytes(v)));
            model.put(k, v);
        }
        producer.flush();
    }

    /**
     * Whether the records below {@code cleanedBelow} hold each key at most once and no tombstone:
     * what a clean of that range, after delete.retention.ms, leaves.
     */
    private static boolean compactedBelow(List<ConsumerRecord<byte[], byte[]>> read, long cleanedBelow) {
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            if (r.offset() >= cleanedBelow) {
                break;
            }
            if (r.value() == null || !keys.add(new String(r.key(), StandardCharsets.UTF_8))) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(List<ConsumerRecord<byte[], byte[]>> read, Map<String, String> model) {
        Map<String, String> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            String k = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.put(k, null);
            } else {
                latest.put(k, new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return latest.equals(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "lz4", "zstd"})
    void aCleanedTopicReadsBackAsTheLatestValueOfEveryLiveKey(String compression) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("log.cleaner.backoff.ms", "100")
                .with("log.cleaner.dedupe.buffer.size", "16777216")
                .with("log.retention.check.interval.ms", "1000")) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            Map<String, String> model = new HashMap<>();
            try (Admin admin = Clients.admin(bootstrap);
                    KafkaProducer<byte[], byte[]> producer = producer(bootstrap, compression)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                                .configs(Map.of(
                                        "cleanup.policy", "compact",
                                        "segment.bytes", String.valueOf(SEGMENT_BYTES),
                                        "min.cleanable.dirty.ratio", "0.1",
                                        "delete.retention.ms", "3000",
                                        "min.compaction.lag.ms", "86400000",
                                        "file.delete.delay.ms", "1000"))))
                        .all()
                        .get();
                for (int i = 0; i < UPDATES; i++) {
                    String k = "key-" + (i % KEYS);
                    String v = "v-" + i;
                    producer.send(new ProducerRecord<>(TOPIC, bytes(k), bytes(v)));
                    model.put(k, v);
                }
                for (int i = 0; i < DELETED; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, bytes("key-" + i), null));
                    model.remove("key-" + i);
                }
                producer.flush();
                long sizeBefore = sizeOnBroker(admin);
                long endBeforeCleaning = endOffset(bootstrap);
                assertThat(endBeforeCleaning).isEqualTo(UPDATES + DELETED);
                // nothing cleaned while the lag holds: every record is still there
                assertThat(readFromStart(bootstrap)).hasSize(UPDATES + DELETED);
                admin.incrementalAlterConfigs(Map.of(
                                new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get();
                // more updates roll the tombstones out of the active segment; the cleaner keeps up
                boolean done = false;
                String last = "";
                long sizeAfter = sizeBefore;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!done && System.nanoTime() < deadline) {
                    fill(producer, 4_000, model);
                    sizeAfter = sizeOnBroker(admin);
                    List<ConsumerRecord<byte[], byte[]>> read = readFromStart(bootstrap);
                    done = matches(read, model) && compactedBelow(read, endBeforeCleaning);
                    last = read.size() + " records read";
                }
                assertThat(done)
                        .as("the log compacted to the model with no deleted key (last read: %s)", last)
                        .isTrue();
                // the active segment (up to segment.bytes) is never cleaned; everything below it shrank to
                // well under a quarter of what was written (compressed logs start small, hence the allowance)
                assertThat(sizeAfter).isLessThan(sizeBefore).isLessThan(sizeBefore / 4 + SEGMENT_BYTES);
            }
            assertThat(broker.stop()).isIn(0, 143);
        }
        File partition = PartitionFiles.partitionDir(dir, TOPIC, 0);
        List<String> files = new ArrayList<>();
        for (File log : PartitionFiles.segmentFiles(partition).values()) {
            files.add(log.getPath());
            files.add(PartitionFiles.sibling(log, ".index").getPath());
            files.add(PartitionFiles.sibling(log, ".timeindex").getPath());
        }
        KafkaTool.Result sanity = KafkaTool.run(DUMP, "--index-sanity-check", "--files", String.join(",", files));
        assertThat(sanity.exitCode()).as(sanity.output()).isZero();
        assertThat(sanity.output())
                .contains("isvalid: true")
                .doesNotContain("isvalid: false")
                .doesNotContain("Exception")
                .doesNotContain("invalid bytes");
        KafkaTool.Result verify =
                KafkaTool.run(DUMP, "--deep-iteration", "--verify-index-only", "--files", String.join(",", files));
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output())
                .doesNotContain("Exception")
                .doesNotContainIgnoringCase("mismatch")
                .doesNotContainIgnoringCase("out of order");
        // a cleaned segment below the active one: the first group may have cleaned down to nothing when
        // every key it held was updated later (kept, empty, until a later clean merges it, as in Kafka)
        List<File> logs = new ArrayList<>(PartitionFiles.segmentFiles(partition).values());
        File cleaned = logs.subList(0, logs.size() - 1).stream()
                .filter(f -> f.length() > 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no cleaned segment with records in " + logs));
        KafkaTool.Result deep =
                KafkaTool.run(DUMP, "--deep-iteration", "--print-data-log", "--files", cleaned.getPath());
        assertThat(deep.exitCode()).as(deep.output()).isZero();
        assertThat(deep.output()).doesNotContain("Exception");
        // the cleaner rewrites a batch in the codec it was written with
        assertThat(deep.output()).contains("compresscodec: " + compression);
        for (String other : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
            if (!other.equals(compression)) {
                assertThat(deep.output()).doesNotContain("compresscodec: " + other);
            }
        }
    }

    private static final int SEGMENT_BYTES = 262_144;

    private static final String DUMP = "org.apache.kafka.tools.DumpLogSegments";

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long endOffset(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            return c.endOffsets(List.of(TP)).get(TP);
        }
    }
}
