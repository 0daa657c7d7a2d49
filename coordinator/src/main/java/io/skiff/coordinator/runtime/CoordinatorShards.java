package io.skiff.coordinator.runtime;

import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards one coordinator hosts on this node: a {@link CoordinatorShard} for each partition of
 * its internal topic that this node leads, created and loaded on election, unloaded on
 * resignation, with the leader-epoch fencing described in {@link ShardedCoordinator}. A
 * coordinator (the group coordinator, the transaction coordinator) keeps one of these and routes
 * its requests to {@link #shard(int)}; this class knows nothing of what the shards hold.
 *
 * <p>Thread-safe: elections and resignations may come from any thread (the decision is made under
 * this object's lock; loading and unloading run on the shards' executors), lookups are lock-free.
 */
public final class CoordinatorShards<S extends CoordinatorStateMachine> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorShards.class);
    /** The epoch of a resignation that must happen whatever the hosted epoch (topic deleted, shutdown). */
    public static final int UNKNOWN_LEADER_EPOCH = -1;

    private static final long CLOSE_TIMEOUT_MS = 10_000L;

    private final String topicName;
    private final RecordSerde serde;
    private final IntFunction<S> stateFactory;
    private final ShardExecutors executors;
    private final Clock clock;
    private final CoordinatorTimer timer;
    private final int maxBatchSizeInBytes;
    private final Map<Integer, Hosted<S>> shards = new ConcurrentHashMap<>();
    private boolean closed;

    /**
     * @param topicName           the internal topic; shards are named {@code topicName-partition}
     * @param stateFactory        a fresh state of a partition, for every load
     * @param executors           the shards' executors; closed with this object
     * @param maxBatchSizeInBytes the largest batch the log accepts (see {@link CoordinatorShard})
     */
    public CoordinatorShards(
            String topicName,
            RecordSerde serde,
            IntFunction<S> stateFactory,
            ShardExecutors executors,
            Clock clock,
            CoordinatorTimer timer,
            int maxBatchSizeInBytes) {
        this.topicName = topicName;
        this.serde = serde;
        this.stateFactory = stateFactory;
        this.executors = executors;
        this.clock = clock;
        this.timer = timer;
        this.maxBatchSizeInBytes = maxBatchSizeInBytes;
    }

    /**
     * Loads {@code partition} from {@code log} for {@code leaderEpoch} (at least 0), replacing a
     * shard of an earlier epoch; an election whose epoch is not above the hosted shard's is
     * ignored. The future completes when the hosted shard's first load is done.
     */
    public CompletableFuture<Void> elect(int partition, int leaderEpoch, CoordinatorLog log) {
        if (leaderEpoch < 0) {
            throw new IllegalArgumentException("an election needs a leader epoch, not " + leaderEpoch);
        }
        CoordinatorShard<S> shard;
        Hosted<S> previous;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException(topicName + " shards are closed"));
            }
            previous = shards.get(partition);
            if (previous != null && previous.leaderEpoch >= leaderEpoch) {
                LOG.info(
                        "{}-{}: ignoring the election in epoch {}, the shard of epoch {} is hosted",
                        topicName,
                        partition,
                        leaderEpoch,
                        previous.leaderEpoch);
                return previous.shard.loadFuture();
            }
            shard = new CoordinatorShard<>(
                    topicName + "-" + partition,
                    log,
                    serde,
                    () -> stateFactory.apply(partition),
                    executors.forPartition(partition),
                    clock,
                    timer,
                    maxBatchSizeInBytes);
            shards.put(partition, new Hosted<>(shard, leaderEpoch));
        }
        if (previous != null) {
            previous.shard.unload();
        }
        shard.load();
        return shard.loadFuture();
    }

    /**
     * Unloads {@code partition} if the hosted shard's epoch is below {@code leaderEpoch}, or
     * whatever its epoch if {@code leaderEpoch} is {@link #UNKNOWN_LEADER_EPOCH}. The future
     * completes once the shard stopped (at once if there was nothing to unload).
     */
    public CompletableFuture<Void> resign(int partition, int leaderEpoch) {
        Hosted<S> current;
        synchronized (this) {
            current = shards.get(partition);
            if (current == null) {
                return CompletableFuture.completedFuture(null);
            }
            if (leaderEpoch != UNKNOWN_LEADER_EPOCH && current.leaderEpoch >= leaderEpoch) {
                LOG.info(
                        "{}-{}: ignoring the resignation in epoch {}, the hosted shard is of epoch {}",
                        topicName,
                        partition,
                        leaderEpoch,
                        current.leaderEpoch);
                return CompletableFuture.completedFuture(null);
            }
            shards.remove(partition);
        }
        return current.shard.unload();
    }

    /** The shard of {@code partition}, or null if it is not hosted here. */
    public CoordinatorShard<S> shard(int partition) {
        Hosted<S> h = shards.get(partition);
        return h == null ? null : h.shard;
    }

    /** The leader epoch of the hosted shard of {@code partition}, or {@link #UNKNOWN_LEADER_EPOCH}. */
    public int leaderEpoch(int partition) {
        Hosted<S> h = shards.get(partition);
        return h == null ? UNKNOWN_LEADER_EPOCH : h.leaderEpoch;
    }

    public boolean hosts(int partition) {
        return shards.containsKey(partition);
    }

    /** Every hosted shard, in no particular order (a snapshot). */
    public Collection<CoordinatorShard<S>> all() {
        List<CoordinatorShard<S>> out = new ArrayList<>(shards.size());
        for (Hosted<S> h : shards.values()) {
            out.add(h.shard);
        }
        return out;
    }

    /**
     * Unloads every shard (pending requests get NOT_COORDINATOR), waits a bounded time for that,
     * then stops the executors. Later elections fail.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> unloads = new ArrayList<>();
        synchronized (this) {
            closed = true;
        }
        for (Integer p : new ArrayList<>(shards.keySet())) {
            unloads.add(resign(p, UNKNOWN_LEADER_EPOCH));
        }
        try {
            CompletableFuture.allOf(unloads.toArray(new CompletableFuture<?>[0]))
                    .get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} shards did not stop in time: {}", topicName, e.toString());
        }
        executors.close();
    }

    private record Hosted<S extends CoordinatorStateMachine>(CoordinatorShard<S> shard, int leaderEpoch) {}
}
