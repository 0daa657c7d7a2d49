package io.skiff.broker.partition;

import io.skiff.wire.protocol.Errors;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The acks=all appends of one partition that wait for its high watermark: each is completed
 * once the watermark reaches the end offset of its append, or failed with a
 * {@link NotCommittedException} when the partition stops being led here. On a single node the
 * watermark reaches every append before the producer is answered, so nothing waits here;
 * replication uses the same path. Thread-safe (synchronized; futures complete outside the lock).
 */
final class DelayedProduces {
    private record Entry(long requiredOffset, long seq, CompletableFuture<Void> future) {}

    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.requiredOffset != b.requiredOffset
            ? Long.compare(a.requiredOffset, b.requiredOffset)
            : Long.compare(a.seq, b.seq));
    private long seq;

    synchronized CompletableFuture<Void> add(long requiredOffset) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        queue.add(new Entry(requiredOffset, seq++, f));
        return f;
    }

    /**
     * Completes, in offset order, every append that ends at or below {@code highWatermark}: with
     * success when {@code error} is null, else failed with a {@link NotCommittedException} of it
     * (NOT_ENOUGH_REPLICAS_AFTER_APPEND: the ISR shrank below min.insync.replicas meanwhile).
     */
    void completeUpTo(long highWatermark, Errors error) {
        while (true) {
            Entry e;
            synchronized (this) {
                e = queue.peek();
                if (e == null || e.requiredOffset > highWatermark) {
                    return;
                }
                queue.poll();
            }
            if (error == null) {
                e.future.complete(null);
            } else {
                e.future.completeExceptionally(new NotCommittedException(error));
            }
        }
    }

    void failAll(Errors error) {
        while (true) {
            Entry e;
            synchronized (this) {
                e = queue.poll();
            }
            if (e == null) {
                return;
            }
            e.future.completeExceptionally(new NotCommittedException(error));
        }
    }

    synchronized int size() {
        return queue.size();
    }
}
