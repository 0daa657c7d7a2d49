package io.skiff.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic creation and growth on a node of a cluster: partition states recorded with replicas placed
 * over the unfenced brokers, INVALID_REPLICATION_FACTOR beyond them, replica assignments honoured.
 * The metadata is a local log here; only the decisions are under test.
 */
class TopicAdminClusterTest {
    @TempDir
    Path dir;

    private MetadataManager metadata;
    private TopicAdmin admin;

    @BeforeEach
    void open() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("node.id", "1");
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:19093");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", "1@127.0.0.1:19093,2@127.0.0.1:19094,3@127.0.0.1:19095");
        p.put("log.dirs", dir.toString());
        p.put("default.replication.factor", "3");
        BrokerConfig config = new BrokerConfig(p);
        metadata = MetadataManager.open(dir);
        admin = new TopicAdmin(config, metadata);
        for (int b = 1; b <= 3; b++) {
            MetadataRecord.BrokerRegistered r = new MetadataRecord.BrokerRegistered(b, Uuid.random(), null, List.of());
            metadata.write(image -> MetadataManager.Decision.of(null, r)).join();
        }
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    private TopicAdmin.Outcome create(String name, int partitions, int replication, Map<Integer, List<Integer>> a) {
        return admin.create(List.of(new TopicAdmin.NewTopic(name, partitions, (short) replication, a, Map.of())), false)
                .join()
                .get(0);
    }

    @Test
    void theDefaultReplicationFactorPlacesThreeReplicasWithTheFirstLeadingAndAllInSync() {
        assertThat(create("t", 3, -1, null).ok()).isTrue();
        MetadataImage image = metadata.image();
        TopicImage t = image.topic("t");
        assertThat(t.replicationFactor()).isEqualTo((short) 3);
        for (int p = 0; p < 3; p++) {
            PartitionImage s = image.partition(t.id(), p);
            assertThat(s.replicas()).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(s.isr()).isEqualTo(s.replicas());
            assertThat(s.leader()).isEqualTo(s.replicas().get(0));
            assertThat(s.leaderEpoch()).isZero();
        }
    }

    @Test
    void moreReplicasThanUnfencedBrokersIsAnInvalidReplicationFactor() {
        metadata.write(image -> MetadataManager.Decision.of(null, new MetadataRecord.BrokerFenced(3)))
                .join();
        TopicAdmin.Outcome o = create("t", 1, 3, null);
        assertThat(o.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(o.message()).contains("only 2 broker(s) are registered");
        assertThat(create("u", 1, 2, null).ok()).isTrue();
    }

    @Test
    void aReplicaAssignmentIsUsedAsGivenAndFencedReplicasStartOutOfSync() {
        metadata.write(image -> MetadataManager.Decision.of(null, new MetadataRecord.BrokerFenced(3)))
                .join();
        assertThat(create("t", -1, -1, Map.of(0, List.of(3, 2), 1, List.of(1, 3)))
                        .ok())
                .isTrue();
        TopicImage t = metadata.image().topic("t");
        PartitionImage p0 = metadata.image().partition(t.id(), 0);
        assertThat(p0.replicas()).containsExactly(3, 2);
        assertThat(p0.isr()).containsExactly(2);
        assertThat(p0.leader()).isEqualTo(2);
        assertThat(create("u", -1, -1, Map.of(0, List.of(3))).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(create("v", -1, -1, Map.of(0, List.of(4))).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
    }

    @Test
    void addedPartitionsGetStatesToo() {
        assertThat(create("t", 1, 2, null).ok()).isTrue();
        assertThat(admin.createPartitions(List.of(new TopicAdmin.NewPartitions("t", 3, null)), false)
                        .join()
                        .get(0)
                        .error())
                .isEqualTo(Errors.NONE);
        TopicImage t = metadata.image().topic("t");
        assertThat(metadata.image().partitions(t.id())).hasSize(3);
        assertThat(metadata.image().partition(t.id(), 2).replicas()).hasSize(2);
    }
}
