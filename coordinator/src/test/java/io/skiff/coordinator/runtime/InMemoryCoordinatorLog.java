package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link CoordinatorLog} kept in memory: records are serialized to bytes exactly as a real
 * partition stores them and replayed from those bytes, each with the producer id and epoch of the
 * batch it was written in (-1 for plain batches); a transaction marker takes one offset, as the
 * control batch of a real partition does, and is replayed as a marker. By default appends are
 * durable at once; {@link #holdAppends(boolean)} parks them until {@link #releaseOne()} /
 * {@link #releaseAll()} (or {@link #failNext(Errors)}) so tests can observe responses waiting for
 * durability and failed writes. Test support, shipped in the coordinator's test-jar. Thread-safe.
 */
public final class InMemoryCoordinatorLog implements CoordinatorLog {
    private final List<Entry> entries = new ArrayList<>();
    private final ArrayDeque<Pending> held = new ArrayDeque<>();
    private boolean hold;
    private Errors failNext;

    /** One offset of the log: a data record of a batch, or a transaction marker. */
    public static final class Entry {
        /** The producer of the record's batch or of the marker; -1 for a plain batch. */
        public final long producerId;

        public final short producerEpoch;
        /** Whether this is a transaction marker (then {@link #key} and {@link #value} are null). */
        public final boolean marker;
        /** For a marker: commit (true) or abort. */
        public final boolean commit;
        /** For a marker: the transaction coordinator's epoch it carries; -1 otherwise. */
        public final int coordinatorEpoch;

        final byte[] key;
        final byte[] value;

        private Entry(
                long producerId,
                short producerEpoch,
                boolean marker,
                boolean commit,
                int coordinatorEpoch,
                byte[] key,
                byte[] value) {
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.marker = marker;
            this.commit = commit;
            this.coordinatorEpoch = coordinatorEpoch;
            this.key = key;
            this.value = value;
        }

        /** Whether this record was written in a transactional batch. */
        public boolean transactional() {
            return !marker && producerId != NO_PRODUCER_ID;
        }

        @Override
        public String toString() {
            if (marker) {
                return (commit ? "COMMIT" : "ABORT") + " " + producerId + "/" + producerEpoch + " c" + coordinatorEpoch;
            }
            return (value == null ? "tombstone" : "record") + " " + producerId + "/" + producerEpoch;
        }
    }

    @Override
    public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
        return appendBatch(NO_PRODUCER_ID, NO_PRODUCER_EPOCH, records);
    }

    @Override
    public CompletableFuture<Long> appendTransactional(
            long producerId, short producerEpoch, List<CoordinatorRecord> records) {
        if (producerId == NO_PRODUCER_ID) {
            throw new IllegalArgumentException("a transactional batch needs a producer id");
        }
        return appendBatch(producerId, producerEpoch, records);
    }

    @Override
    public CompletableFuture<Long> appendEndTransactionMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        return submit(List.of(new Entry(producerId, producerEpoch, true, commit, coordinatorEpoch, null, null)));
    }

    private CompletableFuture<Long> appendBatch(long producerId, short producerEpoch, List<CoordinatorRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        List<Entry> batch = new ArrayList<>(records.size());
        for (CoordinatorRecord r : records) {
            batch.add(new Entry(producerId, producerEpoch, false, false, -1, r.keyBytes(), r.valueBytes()));
        }
        return submit(batch);
    }

    private CompletableFuture<Long> submit(List<Entry> batch) {
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
            if (e.marker) {
                visitor.visitEndTransactionMarker(i, e.producerId, e.producerEpoch, e.commit);
                continue;
            }
            visitor.visit(
                    i,
                    e.producerId,
                    e.producerEpoch,
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

    /** The number of offsets in the log (records and markers). */
    public synchronized int size() {
        return entries.size();
    }

    /**
     * A copy of every data record's key and value bytes, in offset order (markers, which have no
     * coordinator record, are left out).
     */
    public synchronized List<byte[][]> entries() {
        List<byte[][]> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (!e.marker) {
                out.add(new byte[][] {e.key.clone(), e.value == null ? null : e.value.clone()});
            }
        }
        return out;
    }

    /** Every offset of the log, records and markers, in offset order (entries are immutable). */
    public synchronized List<Entry> offsets() {
        return List.copyOf(entries);
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
