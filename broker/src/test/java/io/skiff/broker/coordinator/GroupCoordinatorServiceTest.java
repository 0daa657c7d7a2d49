package io.skiff.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The group coordinator hosted on {@code __consumer_offsets} over real metadata and partition logs. */
@Timeout(60)
class GroupCoordinatorServiceTest {
    private static final RequestContext RC = new RequestContext((short) 8, "client", "/127.0.0.1");

    @TempDir
    Path dir;

    private BrokerConfig config;
    private MetadataManager metadata;
    private LogManager logs;
    private PartitionManager replicas;
    private TopicAdmin admin;
    private final List<GroupCoordinatorService> services = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs"));
        config = new BrokerConfig(Map.of("log.dirs", logDir.toString(), "offsets.topic.num.partitions", "2"));
        metadata = MetadataManager.open(Files.createDirectories(dir.resolve("metadata")));
        logs = LogManager.start(
                LogManagerConfig.builder(List.of(logDir.toFile())).build(), Clock.SYSTEM, null);
        replicas = new PartitionManager(config, logs, null);
        metadata.addListener(replicas);
        admin = new TopicAdmin(config, metadata);
    }

    @AfterEach
    void stop() throws Exception {
        for (GroupCoordinatorService s : services) {
            s.close();
        }
        logs.shutdown();
        metadata.close();
    }

    private GroupCoordinatorService newService() {
        GroupCoordinatorService service = new GroupCoordinatorService(config, metadata, admin, replicas, false);
        services.add(service);
        metadata.addListener(service);
        return service;
    }

    private static void awaitLoaded(GroupCoordinator coordinator, int partitions) throws Exception {
        for (int p = 0; p < partitions; p++) {
            CoordinatorShard<?> shard = coordinator.shard(p);
            assertThat(shard).as("shard " + p).isNotNull();
            shard.loadFuture().get(10, TimeUnit.SECONDS);
            assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        }
    }

    private static OffsetCommitRequest commit(String groupId, String topic, int partition, long offset) {
        return new OffsetCommitRequest()
                .setGroupId(groupId)
                .setMemberId("")
                .setGenerationIdOrMemberEpoch(-1)
                .setTopics(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(offset)
                                .setCommittedMetadata("m")))))));
    }

    @Test
    void offsetsTopicIsCreatedCompactedOnFirstUseAndEachPartitionHostsItsGroups() throws Exception {
        GroupCoordinatorService service = newService();
        assertThat(service.coordinates("g")).isFalse();
        assertThat(service.ensureOffsetsTopic().get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        TopicImage offsets = metadata.image().topic(GroupCoordinator.OFFSETS_TOPIC);
        assertThat(offsets.partitions()).isEqualTo(2);
        assertThat(offsets.configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("compression.type", "producer")
                .containsEntry("segment.bytes", "104857600");
        awaitLoaded(service.coordinator(), 2);
        assertThat(service.coordinates("g")).isTrue();
    }

    @Test
    void committedOffsetsAreInThePartitionLogAndSurviveARestartOfTheService() throws Exception {
        GroupCoordinatorService before = newService();
        before.ensureOffsetsTopic().get(10, TimeUnit.SECONDS);
        admin.create(List.of(new TopicAdmin.NewTopic("t", 1, (short) 1, Map.of(), Map.of())), false)
                .get(10, TimeUnit.SECONDS);
        awaitLoaded(before.coordinator(), 2);
        OffsetCommitResponse committed =
                before.coordinator().commitOffsets(RC, commit("g", "t", 0, 17L)).get(10, TimeUnit.SECONDS);
        assertThat(committed.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code);
        before.close();
        services.remove(before);

        GroupCoordinatorService after = newService();
        awaitLoaded(after.coordinator(), 2);
        OffsetFetchRequest.OffsetFetchRequestGroup allTopics =
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId("g").setTopics(null);
        OffsetFetchResponse fetched = after.coordinator()
                .fetchOffsets(RC, new OffsetFetchRequest().setGroups(new ArrayList<>(List.of(allTopics))))
                .get(10, TimeUnit.SECONDS);
        assertThat(fetched.groups().get(0).topics().get(0).partitions().get(0).committedOffset())
                .isEqualTo(17L);
    }
}
