package io.skiff.broker.metadata.kraft;

import static io.skiff.broker.metadata.kraft.KraftImageTest.ORDERS;
import static io.skiff.broker.metadata.kraft.KraftImageTest.acl;
import static io.skiff.broker.metadata.kraft.KraftImageTest.partition;
import static io.skiff.broker.metadata.kraft.KraftImageTest.topic;
import static io.skiff.broker.metadata.kraft.KraftLogFixture.segmentName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.kraft.KraftLogFixture.Batch;
import io.skiff.broker.metadata.kraft.record.AccessControlEntryRecord;
import io.skiff.broker.metadata.kraft.record.PartitionRecord;
import io.skiff.broker.metadata.kraft.record.TopicRecord;
import io.skiff.wire.protocol.Uuid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KraftMigrationTest {
    @TempDir
    Path logDir;

    private BrokerConfig config(String nodeId) {
        return new BrokerConfig(Map.of("node.id", nodeId, "log.dirs", logDir.toString()));
    }

    private void kafkaDir(Batch... batches) throws IOException {
        Files.writeString(
                logDir.resolve("meta.properties"),
                "#\nnode.id=1\ndirectory.id=bndU4N-oomnNLEUyt5PIJw\n"
                        + "version=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n");
        KraftLogFixture.write(KraftMetadataLog.dirOf(logDir).resolve(segmentName(0)), batches);
    }

    private Batch ordersTopic() {
        return new Batch(0)
                .add(TopicRecord.API_KEY, (short) 0, topic("orders", ORDERS))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 0, List.of(1)))
                .add(PartitionRecord.API_KEY, (short) 2, partition(ORDERS, 1, List.of(1)));
    }

    @Test
    void importsOnceIntoAnEmptySkiffMetadataLogAndLeavesKafkasFilesAsTheyWere() throws IOException {
        kafkaDir(ordersTopic());
        Map<String, String> kafkaFiles = digests(KraftMetadataLog.dirOf(logDir));

        KraftImport plan = KraftMigration.importIfNeeded(logDir, config("1"));

        assertThat(plan.topics()).isEqualTo(1);
        try (MetadataManager m = MetadataManager.open(logDir)) {
            assertThat(m.image().topic("orders").id()).isEqualTo(ORDERS);
            assertThat(m.image().topic("orders").partitions()).isEqualTo(2);
            assertThat(m.image().topic("orders").replicationFactor()).isEqualTo((short) 1);
        }
        assertThat(KraftMigration.importIfNeeded(logDir, config("1"))).isNull();
        assertThat(MetadataManager.recordCount(logDir)).isEqualTo(1);
        assertThat(digests(KraftMetadataLog.dirOf(logDir))).isEqualTo(kafkaFiles);
    }

    @Test
    void importsNothingWithoutAKafkaMetadataLog() throws IOException {
        assertThat(KraftMigration.importIfNeeded(logDir, config("1"))).isNull();
        assertThat(MetadataManager.recordCount(logDir)).isZero();
    }

    @Test
    void aRefusedImportWritesNoSkiffMetadata() throws IOException {
        kafkaDir(ordersTopic(), new Batch(3).add(AccessControlEntryRecord.API_KEY, (short) 0, acl(Uuid.random())));

        assertThatThrownBy(() -> KraftMigration.importIfNeeded(logDir, config("1")))
                .isInstanceOf(KraftMigrationException.class)
                .hasMessageContaining("ACLs");
        assertThat(Files.exists(logDir.resolve("skiff-metadata.log"))).isFalse();
    }

    @Test
    void checkPrintsThePlanAndChangesNothing() throws IOException {
        kafkaDir(ordersTopic());
        Map<String, String> before = digests(logDir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = KraftMigration.check(config("1"), new PrintStream(out, true, StandardCharsets.UTF_8));

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(text)
                .contains("imported 1 topic, 2 partitions")
                .contains("topic orders id " + ORDERS + ", 2 partitions")
                .contains("Skiff would import this at its next start");
        assertThat(digests(logDir)).isEqualTo(before);
    }

    @Test
    void checkRefusesAnotherNodesDirectoryAndAnUnsafeCluster() throws IOException {
        kafkaDir(ordersTopic(), new Batch(3).add(AccessControlEntryRecord.API_KEY, (short) 0, acl(Uuid.random())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

        assertThat(KraftMigration.check(config("2"), print)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("REFUSED: meta.properties belongs to node 1");
        out.reset();
        assertThat(KraftMigration.check(config("1"), print)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("REFUSED: Kafka's metadata holds 1 ACLs");
    }

    /** Every file under {@code dir} by relative path, with a digest of its bytes. */
    static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = dir.relativize(p).toString();
                out.put(name, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
