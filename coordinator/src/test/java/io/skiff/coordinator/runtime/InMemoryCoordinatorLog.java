package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link CoordinatorLog} kept in memory: records are serialized to bytes exactly as a real
 * partition stores them and replayed from those bytes. By default appends are durable at once;
 * {@link #holdAppends(boolean)} parks them until {@link #releaseOne()} / {@link #releaseAll()}
 * (or {@link #failNext(Errors)}) so tests can observe responses waiting for durability and
 * failed writes. Test support, shipped in the coordinator's test-jar. Thread-safe.
 */
public final class InMemoryCoordinatorLog implements CoordinatorLog {
    private final List<Entry> entries = new ArrayList<>();
    private final ArrayDeque<Pending> held = new ArrayDeque<>();
    private boolean hold;
    private Errors failNext;

    @Override
    public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        List<Entry> batch = new ArrayList<>(records.size());
        for (CoordinatorRecord r : records) {
            batch.add(new Entry(r.keyBytes(), r.valueBytes()));
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        Pending p = new Pending(batch, future);
        boolean completeNow;
        synchronized (this) {
            if (failNext != null && !hold) {
                Errors e = failNext;
                failNext = null;
                future.completeExceptionally(new CoordinatorLogException(e, "injected failure"));
                return future;
            }
            completeNow = !hold;
            if (hold) {
                held.add(p);
            }
        }
        if (completeNow) {
            complete(p, null);
        }
        return future;
    }

    private void complete(Pending p, Errors error) {
        long last;
        synchronized (this) {
            if (error != null) {
                last = -1;
            } else {
                entries.addAll(p.batch);
                last = entries.size() - 1;
            }
        }
        if (error != null) {
            p.future.completeExceptionally(new CoordinatorLogException(error, "injected failure"));
        } else {
            p.future.complete(last);
        }
    }

    @Override
    public long replay(long fromOffset, RecordVisitor visitor) {
        List<Entry> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(entries);
        }
        for (int i = (int) fromOffset; i < snapshot.size(); i++) {
            Entry e = snapshot.get(i);
            visitor.visit(
                    i,
                    NO_PRODUCER_ID,
                    NO_PRODUCER_EPOCH,
                    ByteBuffer.wrap(e.key).asReadOnlyBuffer(),
                    e.value == null ? null : ByteBuffer.wrap(e.value).asReadOnlyBuffer());
        }
        return snapshot.size();
    }

    /** While on, appends wait to be released or failed by the test. */
    public synchronized void holdAppends(boolean on) {
        hold = on;
    }

    /** The next append fails with {@code error} (if appends are held: the next released one). */
    public synchronized void failNext(Errors error) {
        failNext = error;
    }

    /** Makes the oldest held append durable (or fails it, if {@link #failNext} was set). */
    public boolean releaseOne() {
        Pending p;
        Errors error;
        synchronized (this) {
            p = held.poll();
            error = failNext;
            if (p != null) {
                failNext = null;
            }
        }
        if (p == null) {
            return false;
        }
        complete(p, error);
        return true;
    }

    /** Releases every held append, oldest first. */
    public void releaseAll() {
        while (releaseOne()) {
            // keep going
        }
    }

    public synchronized int heldAppends() {
        return held.size();
    }

    /** The number of records in the log. */
    public synchronized int size() {
        return entries.size();
    }

    /** A copy of every record's key and value bytes, in offset order. */
    public synchronized List<byte[][]> entries() {
        List<byte[][]> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(new byte[][] {e.key.clone(), e.value == null ? null : e.value.clone()});
        }
        return out;
    }

    private static final class Entry {
        final byte[] key;
        final byte[] value;

        Entry(byte[] key, byte[] value) {
            this.key = key;
            this.value = value;
        }
    }

    private static final class Pending {
        final List<Entry> batch;
        final CompletableFuture<Long> future;

        Pending(List<Entry> batch, CompletableFuture<Long> future) {
            this.batch = batch;
            this.future = future;
        }
    }
}
