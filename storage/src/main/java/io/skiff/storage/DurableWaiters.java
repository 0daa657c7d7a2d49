package io.skiff.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The callers of {@link PartitionLog#awaitDurable} still waiting for an fsync, ordered by the
 * offset each waits on. The fsync that makes every offset below some point durable completes
 * exactly the waiters below that point ({@link #completeBelow}), all at once (group commit);
 * a failed fsync or a deleted log fails them all ({@link #failAll}). Futures are completed
 * outside the queue's lock, so their dependants never run while it is held.
 *
 * <p>Thread-safe (synchronized on the queue). Holds no buffers.
 */
final class DurableWaiters {
    private static final class Waiter implements Comparable<Waiter> {
        final long offset;
        final CompletableFuture<Void> future;

        Waiter(long offset, CompletableFuture<Void> future) {
            this.offset = offset;
            this.future = future;
        }

        @Override
        public int compareTo(Waiter o) {
            return Long.compare(offset, o.offset);
        }
    }

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();

    /** Queues {@code future} to be completed once {@code offset} is durable. */
    void add(long offset, CompletableFuture<Void> future) {
        synchronized (waiters) {
            waiters.add(new Waiter(offset, future));
        }
    }

    /** Completes (normally) every waiter on an offset below {@code coveredExclusive}; returns how many. */
    int completeBelow(long coveredExclusive) {
        List<CompletableFuture<Void>> done = null;
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().offset < coveredExclusive) {
                if (done == null) {
                    done = new ArrayList<>();
                }
                done.add(waiters.poll().future);
            }
        }
        if (done == null) {
            return 0;
        }
        for (CompletableFuture<Void> f : done) {
            f.complete(null);
        }
        return done.size();
    }

    /** Completes every waiter exceptionally with {@code cause}; returns how many. */
    int failAll(Throwable cause) {
        List<Waiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter w : all) {
            w.future.completeExceptionally(cause);
        }
        return all.size();
    }

    /** Completes exceptionally every waiter on an offset at or above {@code offset}; returns how many. */
    int failFrom(long offset, Throwable cause) {
        List<Waiter> failed = new ArrayList<>();
        synchronized (waiters) {
            List<Waiter> kept = new ArrayList<>(waiters.size());
            for (Waiter w : waiters) {
                (w.offset >= offset ? failed : kept).add(w);
            }
            if (!failed.isEmpty()) {
                waiters.clear();
                waiters.addAll(kept);
            }
        }
        for (Waiter w : failed) {
            w.future.completeExceptionally(cause);
        }
        return failed.size();
    }

    /** Number of waiters queued. */
    int size() {
        synchronized (waiters) {
            return waiters.size();
        }
    }
}
