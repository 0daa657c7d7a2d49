package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect 4.3.1 in distributed mode, unmodified, on a Skiff broker process: the worker
 * (a child JVM) creates its config, offset and status topics as compacted topics, runs a
 * FileStreamSource connector made through its REST API, and keeps it across a restart of the broker
 * and of the worker after Skiff's cleaner compacted the config topic: the connector's latest config,
 * RUNNING with its task, resuming from its committed offset (new lines of the file reach the topic
 * once, old ones are not read again).
 *
 * <p>Cleaning is shown on the config topic itself: the first record of the connector's config key
 * (superseded by each update) is gone from the log while the log start offset is still below it, so
 * neither retention nor DeleteRecords removed it, only compaction.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectDistributedCompatTest {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectDistributedCompatTest.class);
    private static final String CONNECTOR = "file-source";
    private static final String TOPIC = "file-lines";
    private static final String CONFIGS = "skiff-connect-configs";
    private static final String OFFSETS = "skiff-connect-offsets";
    private static final String STATUS = "skiff-connect-status";
    private static final TopicPartition CONFIGS_TP = new TopicPartition(CONFIGS, 0);
    private static final String CONNECTOR_KEY = "connector-" + CONNECTOR;
    /**
     * FileStreamSourceTask hands out at most batch.size lines per poll and keeps the other lines it
     * read until the file grows, so batch.size stays above the lines of one read (1024 chars).
     */
    private static final int FIRST_BATCH_SIZE = 200;

    /** Kept when the test fails: the broker's and the worker's output are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aConnectorKeepsItsLatestConfigAndOffsetAcrossRestartsAfterItsConfigTopicIsCleaned() throws Exception {
        Path input = dir.resolve("input.txt");
        appendLines(input, 0, 100);
        try (SkiffProcess broker = new SkiffProcess(Files.createDirectories(dir.resolve("broker")))
                        .with("log.cleaner.backoff.ms", "100")
                        .with("group.initial.rebalance.delay.ms", "0");
                ConnectWorkerProcess worker = worker(dir.resolve("connect"), broker)) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
                worker.start();
                for (String internal : List.of(CONFIGS, OFFSETS, STATUS)) {
                    assertThat(topicConfig(admin, internal)
                                    .get("cleanup.policy")
                                    .value())
                            .as("cleanup.policy of %s", internal)
                            .isEqualTo("compact");
                }
                // every append to the config topic after 100 ms rolls a segment; any dirt is worth cleaning
                admin.incrementalAlterConfigs(Map.of(
                                new ConfigResource(ConfigResource.Type.TOPIC, CONFIGS),
                                List.of(set("segment.ms", "100"), set("min.cleanable.dirty.ratio", "0.01"))))
                        .all()
                        .get();
            }
            Map<String, Object> create = Map.of("name", CONNECTOR, "config", connectorConfig(input, FIRST_BATCH_SIZE));
            ConnectWorkerProcess.Reply created = untilNoConflict(() -> worker.post("/connectors", create));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            awaitRunning(worker);
            awaitCommittedPosition(worker, Files.size(input));
            assertThat(readLines(bootstrap)).isEqualTo(lines(0, 100));

            long firstConfigRecord = keyOffsets(bootstrap, CONNECTOR_KEY).get(0);
            int batchSize = FIRST_BATCH_SIZE;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (batchSize < FIRST_BATCH_SIZE + 3 || !cleanedAway(bootstrap, firstConfigRecord)) {
                assertThat(System.nanoTime())
                        .as("the config topic is cleaned within 60 s; see %s", worker.outputFile())
                        .isLessThan(deadline);
                batchSize++;
                updateConfig(worker, input, batchSize);
            }
            // several versions of the connector's config were written; fewer are left
            int versions = batchSize - FIRST_BATCH_SIZE + 1;
            List<Long> left = keyOffsets(bootstrap, CONNECTOR_KEY);
            LOG.info(
                    "{} versions of {} written; offset {} cleaned away, left at offsets {}",
                    versions,
                    CONNECTOR_KEY,
                    firstConfigRecord,
                    left);
            assertThat(left).hasSizeLessThan(versions);

            assertThat(worker.stop()).isIn(0, 143);
            assertThat(broker.stop()).isIn(0, 143);
            broker.start();
            worker.start();

            await(
                    "the connector is back",
                    () -> worker.get("/connectors").text().contains(CONNECTOR));
            String latest = Integer.toString(batchSize);
            await("the connector has its latest config, batch.size " + latest, () -> {
                JsonNode config =
                        worker.get("/connectors/" + CONNECTOR + "/config").body();
                return config != null && config.path("batch.size").asText().equals(latest);
            });
            await("the task has its latest config, batch.size " + latest, () -> taskBatchSize(worker, latest));
            awaitRunning(worker);
            awaitCommittedPosition(worker, Files.size(input));
            appendLines(input, 100, 150);
            awaitCommittedPosition(worker, Files.size(input));
            assertThat(readLines(bootstrap)).isEqualTo(lines(0, 150));
        }
    }

    private static ConnectWorkerProcess worker(Path workerDir, SkiffProcess broker) throws Exception {
        return new ConnectWorkerProcess(workerDir, broker.bootstrapServers(), "skiff")
                .with("config.storage.topic", CONFIGS)
                .with("offset.storage.topic", OFFSETS)
                .with("status.storage.topic", STATUS)
                .with("config.storage.replication.factor", "1")
                .with("offset.storage.replication.factor", "1")
                .with("status.storage.replication.factor", "1")
                .with("offset.storage.partitions", "2")
                .with("status.storage.partitions", "2")
                .with("offset.flush.interval.ms", "200");
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r);
    }

    private static Map<String, String> connectorConfig(Path input, int batchSize) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
        c.put("tasks.max", "1");
        c.put("file", input.toString());
        c.put("topic", TOPIC);
        c.put("batch.size", Integer.toString(batchSize));
        return c;
    }

    /** PUTs a new batch.size and waits until the task runs with it (a new config and new task configs). */
    private static void updateConfig(ConnectWorkerProcess worker, Path input, int batchSize) throws Exception {
        ConnectWorkerProcess.Reply r = untilNoConflict(
                () -> worker.put("/connectors/" + CONNECTOR + "/config", connectorConfig(input, batchSize)));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        String size = Integer.toString(batchSize);
        await("the task has batch.size " + size, () -> taskBatchSize(worker, size));
        awaitRunning(worker);
    }

    /** Whether the connector has one task and its config has {@code batchSize}. */
    private static boolean taskBatchSize(ConnectWorkerProcess worker, String batchSize) throws Exception {
        JsonNode tasks = worker.get("/connectors/" + CONNECTOR + "/tasks").body();
        return tasks != null
                && tasks.size() == 1
                && tasks.get(0).path("config").path("batch.size").asText().equals(batchSize);
    }

    /** Sends a request again while the worker answers 409 (a rebalance under way), for up to 60 s. */
    private static ConnectWorkerProcess.Reply untilNoConflict(Callable<ConnectWorkerProcess.Reply> request)
            throws Exception {
        ConnectWorkerProcess.Reply[] reply = {null};
        await("the worker accepts the request without a conflict", () -> {
            reply[0] = request.call();
            return reply[0].status() != 409;
        });
        return reply[0];
    }

    private static void awaitRunning(ConnectWorkerProcess worker) throws Exception {
        await("the connector and its task are RUNNING", () -> {
            JsonNode s = worker.get("/connectors/" + CONNECTOR + "/status").body();
            return s != null
                    && s.path("connector").path("state").asText().equals("RUNNING")
                    && s.path("tasks").size() == 1
                    && s.path("tasks").get(0).path("state").asText().equals("RUNNING");
        });
    }

    /** Waits until the worker's committed source offset (GET /connectors/X/offsets) is {@code position}. */
    private static void awaitCommittedPosition(ConnectWorkerProcess worker, long position) throws Exception {
        String[] last = {""};
        await(() -> "the committed offset is position " + position + " (last answer: " + last[0] + ")", () -> {
            ConnectWorkerProcess.Reply r = worker.get("/connectors/" + CONNECTOR + "/offsets");
            last[0] = r.status() + " " + r.text();
            JsonNode o = r.body();
            return o != null
                    && o.path("offsets").size() == 1
                    && o.path("offsets").get(0).path("offset").path("position").asLong() == position;
        });
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
            Thread.sleep(100);
        }
    }

    /**
     * Whether the config topic no longer holds the record at {@code offset} while its log start offset
     * is still at or below it: the record was removed by compaction.
     */
    private static boolean cleanedAway(String bootstrap, long offset) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            long start = c.beginningOffsets(List.of(CONFIGS_TP)).get(CONFIGS_TP);
            assertThat(start).isLessThanOrEqualTo(offset);
        }
        return readAll(bootstrap, CONFIGS_TP).stream().noneMatch(r -> r.offset() == offset);
    }

    /** The offsets of the config topic's records with {@code key}, in order. */
    private static List<Long> keyOffsets(String bootstrap, String key) {
        List<Long> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, CONFIGS_TP)) {
            if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(key)) {
                out.add(r.offset());
            }
        }
        return out;
    }

    private static List<String> readLines(String bootstrap) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, new TopicPartition(TOPIC, 0))) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every record of {@code tp} from its start to its end offset now. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertThat(c.position(tp)).as("read %s to its end", tp).isEqualTo(end);
            return out;
        }
    }

    private static List<String> lines(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("line " + i + " of the file");
        }
        return out;
    }

    private static void appendLines(Path file, int from, int to) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : lines(from, to)) {
            text.append(line).append('\n');
        }
        Files.writeString(
                file,
                text,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }
}
