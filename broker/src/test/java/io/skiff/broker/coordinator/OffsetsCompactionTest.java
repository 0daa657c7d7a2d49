package io.skiff.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __consumer_offsets} is compacted: after many offset commits and a clean, a coordinator's
 * load replays a bounded number of records (the latest offset per group and partition, plus the
 * active segment), not the history.
 */
@Timeout(120)
class OffsetsCompactionTest {
    private static final RequestContext RC = new RequestContext((short) 8, "client", "/127.0.0.1");
    private static final int COMMITS = 30_000;
    private static final List<String> GROUPS = List.of("g1", "g2", "g3");

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
        config = new BrokerConfig(Map.of(
                "log.dirs", logDir.toString(),
                "offsets.topic.num.partitions", "1",
                "offsets.topic.segment.bytes", "65536"));
        metadata = MetadataManager.open(Files.createDirectories(dir.resolve("metadata")));
        logs = LogManager.start(
                LogManagerConfig.builder(List.of(logDir.toFile()))
                        .cleanerEnable(false)
                        .cleanerDedupeBufferSize(1 << 20)
                        .build(),
                Clock.SYSTEM,
                null);
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

    private GroupCoordinatorService newService() throws Exception {
        GroupCoordinatorService service = new GroupCoordinatorService(config, metadata, admin, replicas, false);
        services.add(service);
        metadata.addListener(service);
        return service;
    }

    private static CoordinatorShard<?> loaded(GroupCoordinator coordinator) throws Exception {
        CoordinatorShard<?> shard = coordinator.shard(0);
        assertThat(shard).isNotNull();
        shard.loadFuture().get(30, TimeUnit.SECONDS);
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        return shard;
    }

    private static OffsetCommitRequest commit(String groupId, int partition, long offset) {
        return new OffsetCommitRequest()
                .setGroupId(groupId)
                .setMemberId("")
                .setGenerationIdOrMemberEpoch(-1)
                .setTopics(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic()
                        .setName("t")
                        .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(offset)
                                .setCommittedMetadata("")))))));
    }

    private static long fetched(GroupCoordinator coordinator, String group, int partition) throws Exception {
        OffsetFetchRequest.OffsetFetchRequestGroup all = new OffsetFetchRequest.OffsetFetchRequestGroup()
                .setGroupId(group)
                .setTopics(null);
        OffsetFetchResponse r = coordinator
                .fetchOffsets(RC, new OffsetFetchRequest().setGroups(new ArrayList<>(List.of(all))))
                .get(10, TimeUnit.SECONDS);
        for (var t : r.groups().get(0).topics()) {
            for (var p : t.partitions()) {
                if (p.partitionIndex() == partition) {
                    return p.committedOffset();
                }
            }
        }
        return -1L;
    }

    @Test
    void aLoadAfterManyCommitsAndACleanReplaysABoundedNumberOfRecords() throws Exception {
        GroupCoordinatorService before = newService();
        assertThat(before.ensureOffsetsTopic().get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        admin.create(List.of(new TopicAdmin.NewTopic("t", 2, (short) 1, Map.of(), Map.of())), false)
                .get(10, TimeUnit.SECONDS);
        loaded(before.coordinator());
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (int i = 0; i < COMMITS; i++) {
            inFlight.add(before.coordinator().commitOffsets(RC, commit(GROUPS.get(i % 3), i % 2, i)));
            if (inFlight.size() == 500) {
                CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]))
                        .get(30, TimeUnit.SECONDS);
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        before.close();
        services.remove(before);

        PartitionLog offsets = logs.getLog(new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, 0));
        GroupCoordinatorService uncleaned = newService();
        long replayedBefore = loaded(uncleaned.coordinator()).loadedRecords();
        uncleaned.close();
        services.remove(uncleaned);

        offsets.roll();
        long sizeBefore = offsets.sizeInBytes();
        assertThat(logs.cleanLogsNow(10)).isGreaterThanOrEqualTo(1);

        GroupCoordinatorService after = newService();
        long replayedAfter = loaded(after.coordinator()).loadedRecords();
        assertThat(replayedBefore).isGreaterThanOrEqualTo(COMMITS);
        assertThat(replayedAfter).isLessThanOrEqualTo(2L * GROUPS.size() + 10);
        assertThat(offsets.sizeInBytes()).isLessThan(sizeBefore / 100);
        for (int g = 0; g < GROUPS.size(); g++) {
            for (int p = 0; p < 2; p++) {
                long last = -1;
                for (int i = COMMITS - 1; i >= 0; i--) {
                    if (i % 3 == g && i % 2 == p) {
                        last = i;
                        break;
                    }
                }
                assertThat(fetched(after.coordinator(), GROUPS.get(g), p)).isEqualTo(last);
            }
        }
    }
}
