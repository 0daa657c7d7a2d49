package io.skiff.broker.partition;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where produce requests that may block go, so that they do not stall the network thread that
 * serves other connections: appends that roll a segment (file creation, index allocation,
 * producer-state snapshot) or recompress run on a small pool of append threads instead.
 *
 * <p>Order is kept per connection: once a connection has a request here, its later produce
 * requests queue behind it (an idempotent producer's batches must reach the log in the order
 * it sent them), until the lane drains; then the connection's requests run inline again. Lanes
 * of different connections run in parallel. Thread-safe.
 */
public final class AppendLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendLanes.class);

    private final ExecutorService pool;
    private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();

    public AppendLanes(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "skiff-append-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether {@code connection} has produce requests queued or running here. */
    public boolean busy(Object connection) {
        return lanes.containsKey(connection);
    }

    /** Runs {@code task} on an append thread after the connection's earlier queued tasks. */
    public void submit(Object connection, Runnable task) {
        submitAfter(connection, null, task);
    }

    /**
     * After the connection's earlier queued tasks, calls {@code wait} on an append thread, then runs
     * {@code task} on an append thread once the future it returned is complete (however it
     * completes); the connection's later tasks run after {@code task}. No thread waits meanwhile.
     * {@code wait} may be null (then this is {@link #submit}).
     */
    public void submitAfter(Object connection, Supplier<? extends CompletableFuture<?>> wait, Runnable task) {
        Step step = new Step(wait, task);
        while (true) {
            Lane lane = lanes.computeIfAbsent(connection, Lane::new);
            if (lane.offer(step)) {
                return;
            }
            // The lane drained and retired between the lookup and the offer: take a new one.
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** One queued task and what it waits for first (null once started or when nothing). */
    private static final class Step {
        Supplier<? extends CompletableFuture<?>> wait;
        final Runnable task;

        Step(Supplier<? extends CompletableFuture<?>> wait, Runnable task) {
            this.wait = wait;
            this.task = task;
        }
    }

    /** One connection's queue; runs its tasks one at a time on the pool. */
    private final class Lane implements Runnable {
        private final Object key;
        private final ArrayDeque<Step> tasks = new ArrayDeque<>();
        private boolean running;
        private boolean retired;

        Lane(Object key) {
            this.key = key;
        }

        synchronized boolean offer(Step task) {
            if (retired) {
                return false;
            }
            tasks.add(task);
            if (!running) {
                running = true;
                try {
                    pool.execute(this);
                } catch (RejectedExecutionException shuttingDown) {
                    running = false;
                    tasks.clear();
                    LOG.debug("Append pool stopped; dropping a produce request at shutdown");
                }
            }
            return true;
        }

        @Override
        public void run() {
            while (true) {
                Step next;
                synchronized (this) {
                    next = tasks.peek();
                    if (next == null) {
                        running = false;
                        retired = true;
                        lanes.remove(key, this);
                        return;
                    }
                }
                if (next.wait != null && !startWait(next)) {
                    return; // resumed on the pool when the wait is over; the lane stays running
                }
                synchronized (this) {
                    tasks.poll();
                }
                try {
                    next.task.run();
                } catch (RuntimeException e) {
                    LOG.error("Produce request failed on an append thread", e);
                }
            }
        }

        /** Starts {@code step}'s wait; true when it is already over (the task may run now). */
        private boolean startWait(Step step) {
            CompletableFuture<?> f;
            try {
                f = step.wait.get();
            } catch (RuntimeException e) {
                LOG.error("A produce request's wait failed to start on an append thread", e);
                f = null;
            }
            step.wait = null;
            if (f == null || f.isDone()) {
                return true;
            }
            f.whenComplete((ok, failure) -> resume());
            return false;
        }

        private void resume() {
            try {
                pool.execute(this);
            } catch (RejectedExecutionException shuttingDown) {
                synchronized (this) {
                    running = false;
                    tasks.clear();
                }
                LOG.debug("Append pool stopped; dropping produce requests at shutdown");
            }
        }
    }
}
