package io.skiff.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.testing.DirectExecutor;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hosting a coordinator's shards: elections, resignations, their leader-epoch fencing, close. */
class CoordinatorShardsTest {

    /** Time that stands still; the shards here set no timers that must fire. */
    private final ManualClock clock = new ManualClock();

    private final ManualTimer timer = new ManualTimer(clock);

    private final List<Integer> created = new ArrayList<>();
    private final List<CoordinatorShardTest.Recorder> states = new ArrayList<>();
    private final CoordinatorShards<CoordinatorShardTest.Recorder> shards = new CoordinatorShards<>(
            "__test",
            GroupRecords.SERDE,
            p -> {
                created.add(p);
                CoordinatorShardTest.Recorder r = new CoordinatorShardTest.Recorder();
                states.add(r);
                return r;
            },
            ShardExecutors.of(p -> new DirectExecutor()),
            clock,
            timer,
            1_000_000);

    private static InMemoryCoordinatorLog logWithOneRecord() {
        InMemoryCoordinatorLog log = new InMemoryCoordinatorLog();
        log.append(List.of(GroupRecords.offsetCommit("g", "t", 0, 1L, -1, "", 0L, -1L, null)))
                .join();
        return log;
    }

    @Test
    void electionLoadsTheShardOfThePartitionAndResignationUnloadsIt() {
        assertThat(shards.elect(3, 0, logWithOneRecord())).isCompleted();
        assertThat(shards.hosts(3)).isTrue();
        assertThat(shards.hosts(0)).isFalse();
        assertThat(shards.shard(3).status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        assertThat(shards.shard(3).state().replayed).containsExactly("t-0");
        assertThat(created).containsExactly(3);
        assertThat(shards.leaderEpoch(3)).isZero();

        CoordinatorShard<CoordinatorShardTest.Recorder> shard = shards.shard(3);
        assertThat(shards.resign(3, 1)).isCompleted();
        assertThat(shards.hosts(3)).isFalse();
        assertThat(shards.shard(3)).isNull();
        assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.CLOSED);
        assertThat(states.get(0).unloadedWith).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(shards.leaderEpoch(3)).isEqualTo(CoordinatorShards.UNKNOWN_LEADER_EPOCH);
    }

    @Test
    void electionInAnEpochNotAboveTheHostedOneIsIgnored() {
        shards.elect(0, 5, logWithOneRecord());
        CoordinatorShard<CoordinatorShardTest.Recorder> hosted = shards.shard(0);
        shards.elect(0, 5, new InMemoryCoordinatorLog());
        shards.elect(0, 4, new InMemoryCoordinatorLog());
        assertThat(shards.shard(0)).isSameAs(hosted);
        assertThat(hosted.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        assertThat(created).hasSize(1);
    }

    @Test
    void electionInALaterEpochReplacesTheShardWithOneLoadedFromTheNewLog() {
        shards.elect(0, 1, new InMemoryCoordinatorLog());
        CoordinatorShard<CoordinatorShardTest.Recorder> old = shards.shard(0);
        shards.elect(0, 2, logWithOneRecord());
        assertThat(old.status()).isEqualTo(CoordinatorShard.Status.CLOSED);
        assertThat(shards.shard(0)).isNotSameAs(old);
        assertThat(shards.shard(0).state().replayed).containsExactly("t-0");
        assertThat(shards.leaderEpoch(0)).isEqualTo(2);
    }

    @Test
    void resignationInAnEpochNotAboveTheHostedOneIsIgnoredUnlessTheEpochIsUnknown() {
        shards.elect(0, 3, new InMemoryCoordinatorLog());
        shards.resign(0, 3);
        shards.resign(0, 2);
        assertThat(shards.hosts(0)).isTrue();
        shards.resign(0, CoordinatorShards.UNKNOWN_LEADER_EPOCH);
        assertThat(shards.hosts(0)).isFalse();
        assertThat(shards.resign(7, 1)).as("nothing hosted").isCompleted();
    }

    @Test
    void electionWithoutALeaderEpochIsRefused() {
        assertThatThrownBy(() -> shards.elect(0, CoordinatorShards.UNKNOWN_LEADER_EPOCH, new InMemoryCoordinatorLog()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeUnloadsEveryShardAndLaterElectionsFail() {
        shards.elect(0, 0, new InMemoryCoordinatorLog());
        shards.elect(1, 0, new InMemoryCoordinatorLog());
        CoordinatorShard<CoordinatorShardTest.Recorder> zero = shards.shard(0);
        CoordinatorShard<CoordinatorShardTest.Recorder> one = shards.shard(1);
        assertThat(shards.all()).containsExactlyInAnyOrder(zero, one);
        shards.close();
        assertThat(shards.all()).isEmpty();
        assertThat(zero.status()).isEqualTo(CoordinatorShard.Status.CLOSED);
        assertThat(one.status()).isEqualTo(CoordinatorShard.Status.CLOSED);
        assertThat(shards.elect(2, 0, new InMemoryCoordinatorLog())).isCompletedExceptionally();
        assertThat(shards.hosts(2)).isFalse();
    }

    @Test
    void ownedExecutorsRunPartitionsOnThreadModuloTheirCountAndStopOnClose() throws Exception {
        ShardExecutors owned = ShardExecutors.owned(2, "test-shard-");
        try {
            assertThat(owned.forPartition(4)).isSameAs(owned.forPartition(0)).isNotSameAs(owned.forPartition(1));
            CompletableFuture<String> name = new CompletableFuture<>();
            owned.forPartition(3)
                    .execute(() -> name.complete(Thread.currentThread().getName()));
            assertThat(name.get(10, TimeUnit.SECONDS)).isEqualTo("test-shard-1");
        } finally {
            owned.close();
        }
        Executor stopped = owned.forPartition(0);
        CountDownLatch ran = new CountDownLatch(1);
        assertThatThrownBy(() -> stopped.execute(ran::countDown)).isInstanceOf(RuntimeException.class);
        assertThat(ran.getCount()).isEqualTo(1);
    }
}
