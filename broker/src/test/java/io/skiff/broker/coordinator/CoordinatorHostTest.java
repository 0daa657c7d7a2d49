package io.skiff.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.runtime.SystemCoordinatorTimer;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.TopicPartition;
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
 * The coordinator host over real metadata, topic administration and partition logs, hosting a
 * coordinator that is not the group coordinator ({@link CountingCoordinator}) on its own internal
 * topic: creation on first use, loading as the topic appears and grows, unloading as it goes or
 * leadership moves, and the partition adapter underneath.
 */
@Timeout(60)
class CoordinatorHostTest {
    private static final InternalTopic COUNTERS =
            new InternalTopic(CountingCoordinator.TOPIC, 3, Map.of("cleanup.policy", "compact"));

    @TempDir
    Path dir;

    private BrokerConfig config;
    private MetadataManager metadata;
    private LogManager logs;
    private PartitionManager replicas;
    private TopicAdmin admin;
    private SystemCoordinatorTimer clock;
    private final List<CoordinatorHost<CountingCoordinator>> hosts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs"));
        config = new BrokerConfig(Map.of("log.dirs", logDir.toString()));
        metadata = MetadataManager.open(Files.createDirectories(dir.resolve("metadata")));
        logs = LogManager.start(
                LogManagerConfig.builder(List.of(logDir.toFile())).build(), Clock.SYSTEM, null);
        replicas = new PartitionManager(config, logs, null);
        metadata.addListener(replicas);
        admin = new TopicAdmin(config, metadata);
        clock = new SystemCoordinatorTimer();
    }

    @AfterEach
    void stop() throws Exception {
        for (CoordinatorHost<CountingCoordinator> h : hosts) {
            h.close();
        }
        clock.close();
        logs.shutdown();
        metadata.close();
    }

    /** A host of a fresh counting coordinator, registered after the replica manager. */
    private CoordinatorHost<CountingCoordinator> newHost() {
        CoordinatorHost<CountingCoordinator> host = new CoordinatorHost<>(
                COUNTERS,
                () -> new CountingCoordinator(COUNTERS.partitions(), clock),
                metadata,
                admin,
                replicas,
                false,
                () -> 1_000L);
        hosts.add(host);
        metadata.addListener(host);
        return host;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static CoordinatorShard<CountingCoordinator.Counters> loaded(
            CoordinatorHost<CountingCoordinator> host, int p) throws Exception {
        CoordinatorShard<CountingCoordinator.Counters> shard =
                host.coordinator().shards.shard(p);
        assertThat(shard).as("shard of partition " + p).isNotNull();
        await(shard.loadFuture());
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        return shard;
    }

    @Test
    void ensureTopicCreatesTheInternalTopicOnceAndEveryPartitionIsLoaded() throws Exception {
        CoordinatorHost<CountingCoordinator> host = newHost();
        assertThat(host.coordinates("a")).isFalse();
        assertThat(await(host.ensureTopic())).isEqualTo(Errors.NONE);
        TopicImage topic = metadata.image().topic(CountingCoordinator.TOPIC);
        assertThat(topic.partitions()).isEqualTo(3);
        assertThat(topic.replicationFactor()).isEqualTo((short) 1);
        assertThat(topic.configs()).containsEntry("cleanup.policy", "compact");
        for (int p = 0; p < 3; p++) {
            loaded(host, p);
        }
        assertThat(host.coordinates("a")).isTrue();
        assertThat(host.coordinates("b")).isTrue();

        assertThat(await(host.ensureTopic())).isEqualTo(Errors.NONE);
        assertThat(metadata.image().topic(CountingCoordinator.TOPIC).id()).isEqualTo(topic.id());
    }

    @Test
    void writesGoToThePartitionLogAndTheNextElectionReplaysThem() throws Exception {
        CoordinatorHost<CountingCoordinator> host = newHost();
        await(host.ensureTopic());
        CountingCoordinator counters = host.coordinator();
        int p = counters.partitionFor("a");
        loaded(host, p);
        await(counters.put("a", 5));
        await(counters.put("a", 6));
        assertThat(logs.getLog(new TopicPartition(CountingCoordinator.TOPIC, p)).logEndOffset())
                .isEqualTo(2);

        await(host.onLeadershipChange(p, false, 1));
        assertThat(host.coordinates("a")).isFalse();
        assertThat(counters.hosts(p)).isFalse();

        TopicPartition tp = new TopicPartition(CountingCoordinator.TOPIC, p);
        assertThat(replicas.becomeLeader(tp, 2)).isTrue();
        await(host.onLeadershipChange(p, true, 2));
        assertThat(await(counters.get("a"))).isEqualTo(6L);
        assertThat(await(counters.replayed(p))).containsExactly("0 a by -1/-1", "1 a by -1/-1");
        await(counters.put("a", 7));
        assertThat(await(counters.replayed(p))).last().isEqualTo("2 a by -1/-1");
        assertThat(logs.getLog(new TopicPartition(CountingCoordinator.TOPIC, p)).latestEpoch())
                .isEqualTo(2);
    }

    @Test
    void leadershipChangesOfAnEpochNotAboveTheHostedShardsAreIgnored() throws Exception {
        CoordinatorHost<CountingCoordinator> host = newHost();
        await(host.ensureTopic());
        CoordinatorShard<CountingCoordinator.Counters> first = loaded(host, 0);

        await(host.onLeadershipChange(0, false, 0));
        await(host.onLeadershipChange(0, true, 0));
        assertThat(host.coordinator().shards.shard(0)).isSameAs(first);

        await(host.onLeadershipChange(0, true, 4));
        CoordinatorShard<CountingCoordinator.Counters> fourth = loaded(host, 0);
        assertThat(fourth).isNotSameAs(first);
        assertThat(first.status()).isEqualTo(CoordinatorShard.Status.CLOSED);

        await(host.onLeadershipChange(0, false, 3));
        assertThat(host.coordinator().hosts(0)).isTrue();
        await(host.onLeadershipChange(0, false, 5));
        assertThat(host.coordinator().hosts(0)).isFalse();
        assertThat(fourth.status()).isEqualTo(CoordinatorShard.Status.CLOSED);
    }

    @Test
    void growingTheTopicLoadsTheNewPartitionsAndKeepsTheOthers() throws Exception {
        CoordinatorHost<CountingCoordinator> host = newHost();
        await(host.ensureTopic());
        CoordinatorShard<CountingCoordinator.Counters> zero = loaded(host, 0);
        List<TopicAdmin.Grown> grown = await(admin.createPartitions(
                List.of(new TopicAdmin.NewPartitions(CountingCoordinator.TOPIC, 5, null)), false));
        assertThat(grown.get(0).error()).isEqualTo(Errors.NONE);
        loaded(host, 3);
        loaded(host, 4);
        assertThat(host.coordinator().shards.shard(0)).isSameAs(zero);
        assertThat(zero.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
    }

    @Test
    void deletingTheTopicUnloadsEveryShard() throws Exception {
        CoordinatorHost<CountingCoordinator> host = newHost();
        await(host.ensureTopic());
        List<CoordinatorShard<CountingCoordinator.Counters>> shards = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            shards.add(loaded(host, p));
        }
        List<TopicAdmin.Deleted> deleted =
                await(admin.delete(List.of(new TopicAdmin.TopicRef(CountingCoordinator.TOPIC, null))));
        assertThat(deleted.get(0).error()).isEqualTo(Errors.NONE);
        for (int p = 0; p < 3; p++) {
            assertThat(host.coordinator().hosts(p)).isFalse();
            await(shards.get(p).loadFuture());
            assertThat(shards.get(p).status()).isEqualTo(CoordinatorShard.Status.CLOSED);
        }
        assertThat(host.coordinates("a")).isFalse();
    }

    @Test
    void aHostStartedOverAnExistingTopicLoadsItsPartitionsFromTheirLogs() throws Exception {
        CoordinatorHost<CountingCoordinator> before = newHost();
        await(before.ensureTopic());
        loaded(before, before.coordinator().partitionFor("b"));
        await(before.coordinator().put("b", 42));
        before.close();
        hosts.remove(before);

        CoordinatorHost<CountingCoordinator> after = newHost();
        for (int p = 0; p < 3; p++) {
            loaded(after, p);
        }
        assertThat(await(after.coordinator().get("b"))).isEqualTo(42L);
    }
}
