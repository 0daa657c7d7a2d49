package io.skiff.broker.coordinator;

import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.record.OffsetCommitKey;
import io.skiff.coordinator.record.OffsetCommitValue;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.runtime.CoordinatorShards;
import io.skiff.coordinator.runtime.CoordinatorStateMachine;
import io.skiff.coordinator.runtime.CoordinatorTimer;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.coordinator.runtime.ShardExecutors;
import io.skiff.coordinator.runtime.ShardedCoordinator;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A tiny coordinator of its own, to host on another internal topic than the group coordinator's:
 * it keeps one number per key, sharded by key over the topic's partitions. Its records borrow the
 * layout of offset commits (group = key, offset = number) so that {@link GroupRecords#SERDE}
 * reads them back. Runs its shards on two owned threads. Thread-safe.
 */
final class CountingCoordinator implements ShardedCoordinator {
    static final String TOPIC = "__skiff_counters";

    private final int partitions;
    final CoordinatorShards<Counters> shards;

    CountingCoordinator(int partitions, CoordinatorTimer timer) {
        this.partitions = partitions;
        this.shards = new CoordinatorShards<>(
                TOPIC,
                GroupRecords.SERDE,
                Counters::new,
                ShardExecutors.owned(2, "skiff-test-counters-"),
                Clock.SYSTEM,
                timer,
                1 << 20);
    }

    /** The state of one partition: the numbers, and what replay saw. Shard thread only. */
    static final class Counters implements CoordinatorStateMachine {
        final int partition;
        final Map<String, Long> numbers = new HashMap<>();
        final List<String> replayed = new ArrayList<>();

        Counters(int partition) {
            this.partition = partition;
        }

        @Override
        public void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record) {
            OffsetCommitKey key = (OffsetCommitKey) record.key();
            OffsetCommitValue value = (OffsetCommitValue) record.value();
            if (value == null) {
                numbers.remove(key.group());
            } else {
                numbers.put(key.group(), value.offset());
            }
            replayed.add(offset + " " + key.group() + " by " + producerId + "/" + producerEpoch);
        }

        @Override
        public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
            replayed.add(offset + " marker");
        }

        @Override
        public void onLoaded(OperationContext context) {}

        @Override
        public void onUnloaded(Errors error) {}
    }

    @Override
    public int partitionFor(String key) {
        return Math.floorMod(key.hashCode(), partitions);
    }

    @Override
    public CompletableFuture<Void> onElection(int partition, int leaderEpoch, CoordinatorLog log) {
        return shards.elect(partition, leaderEpoch, log);
    }

    @Override
    public CompletableFuture<Void> onResignation(int partition, int leaderEpoch) {
        return shards.resign(partition, leaderEpoch);
    }

    @Override
    public boolean hosts(int partition) {
        return shards.hosts(partition);
    }

    /** Sets {@code key}'s number; completes once it is durable in the key's partition. */
    CompletableFuture<Void> put(String key, long number) {
        CoordinatorShard<Counters> shard = shards.shard(partitionFor(key));
        return shard.submit("put", ctx -> {
            ctx.append(GroupRecords.offsetCommit(key, "counter", 0, number, -1, "", ctx.nowMs(), -1L, null));
            return null;
        });
    }

    /** The number of {@code key}, or null. */
    CompletableFuture<Long> get(String key) {
        CoordinatorShard<Counters> shard = shards.shard(partitionFor(key));
        return shard.submit("get", ctx -> shard.state().numbers.get(key));
    }

    /** What the shard of {@code partition} replayed, as "offset key by producerId/epoch". */
    CompletableFuture<List<String>> replayed(int partition) {
        CoordinatorShard<Counters> shard = shards.shard(partition);
        return shard.submit("replayed", ctx -> List.copyOf(shard.state().replayed));
    }

    @Override
    public void close() {
        shards.close();
    }
}
