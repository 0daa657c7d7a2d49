package io.skiff.coordinator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * The executors of a coordinator's shards: which executor runs partition {@code p}'s tasks. Each
 * must run a shard's tasks one at a time and in submission order. Either a fixed set of daemon
 * threads owned here (partition {@code p} on thread {@code p % threads}), stopped by
 * {@link #close()}, or executors the caller owns (tests pass a direct executor). Thread-safe.
 */
public final class ShardExecutors implements AutoCloseable {
    private final IntFunction<Executor> forPartition;
    private final List<ExecutorService> owned;

    private ShardExecutors(IntFunction<Executor> forPartition, List<ExecutorService> owned) {
        this.forPartition = forPartition;
        this.owned = owned;
    }

    /** {@code threads} single-thread executors named {@code namePrefix + index}, owned by the result. */
    public static ShardExecutors owned(int threads, String namePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("a coordinator needs at least one thread, not " + threads);
        }
        List<ExecutorService> services = new ArrayList<>(threads);
        Executor[] executors = new Executor[threads];
        for (int i = 0; i < threads; i++) {
            String name = namePrefix + i;
            ExecutorService e = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            services.add(e);
            executors[i] = e;
        }
        return new ShardExecutors(p -> executors[p % executors.length], List.copyOf(services));
    }

    /** Executors owned by the caller; {@link #close()} leaves them alone. */
    public static ShardExecutors of(IntFunction<Executor> forPartition) {
        return new ShardExecutors(forPartition, List.of());
    }

    /** The executor of partition {@code partition}'s shard. */
    public Executor forPartition(int partition) {
        return forPartition.apply(partition);
    }

    /** Stops the owned threads (tasks not yet run are dropped). */
    @Override
    public void close() {
        for (ExecutorService e : owned) {
            e.shutdownNow();
        }
    }
}
