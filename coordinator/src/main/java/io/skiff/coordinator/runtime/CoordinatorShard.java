package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The runtime of one coordinator partition: a single-threaded, record-emitting state machine.
 *
 * <h2>Design note</h2>
 *
 * <ul>
 *   <li><b>One thread at a time.</b> Every operation, timer expiry, load and append completion
 *       runs as a task on the shard's {@link Executor}, which must run the shard's tasks one at a
 *       time and in submission order (a single thread shared by several shards is fine). State is
 *       never locked; only {@link #status()} is read from other threads.</li>
 *   <li><b>State changes by replay.</b> An operation reads the state and appends records through
 *       its {@link OperationContext}; each record is replayed into the state at once (so the rest
 *       of the operation sees it) with the same {@link CoordinatorStateMachine#replay} that loads
 *       the partition. The records of one operation are written as one batch when it returns.</li>
 *   <li><b>Transactions.</b> An operation may also append records of a producer's transaction
 *       (replayed with that producer id and epoch, as a load replays a transactional batch, and
 *       written as one transactional batch) and a transaction's end marker (replayed through
 *       {@link CoordinatorStateMachine#replayEndTransactionMarker} and written as its own control
 *       batch). An operation's writes go to the log in the order they were appended, each a
 *       batch of consecutive records of one kind; its response waits for the last.</li>
 *   <li><b>Offsets.</b> The shard is the partition's only writer, so it knows the offset each
 *       record will get: the load ends at the log's end, and every batch advances it by its
 *       record count. Records are replayed with those offsets; if the log reports another offset
 *       for a batch, the state is rebuilt from the log.</li>
 *   <li><b>Responses after durability.</b> An operation's response, and every parked request it
 *       completes, is released only when every batch written up to and including the
 *       operation's own is durable, so no client ever sees state that a failover could lose.
 *       Operations that write nothing still wait for earlier writes.</li>
 *   <li><b>Failed writes.</b> If a batch fails, the responses waiting on it and on later batches
 *       fail with the mapped error, parked requests are released, and once no append is in
 *       flight the state is rebuilt from the log; meanwhile requests get
 *       COORDINATOR_LOAD_IN_PROGRESS (or the failure's error). This replaces the snapshot revert
 *       of Kafka's runtime and needs nothing but replay.</li>
 *   <li><b>Timers</b> are keyed; scheduling a key replaces its previous timer. They are soft state:
 *       a load re-arms them through {@link CoordinatorStateMachine#onLoaded}.</li>
 * </ul>
 *
 * <p>Buffers: the shard holds no {@code ByteBuf}; records are messages until the log serializes
 * them, and loaded bytes are borrowed only while a record is decoded.
 */
public final class CoordinatorShard<S extends CoordinatorStateMachine> {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorShard.class);

    /** Where a shard is in its life. */
    public enum Status {
        /** Replaying the log; requests get COORDINATOR_LOAD_IN_PROGRESS. */
        LOADING,
        /** Serving requests. */
        ACTIVE,
        /** A write failed; waiting for in-flight writes before reloading. */
        FAILED,
        /** Unloaded (or the load failed); requests get NOT_COORDINATOR. */
        CLOSED
    }

    private final String name;
    private final CoordinatorLog log;
    private final RecordSerde serde;
    private final Supplier<S> stateFactory;
    private final Executor executor;
    private final Clock clock;
    private final CoordinatorTimer timer;
    private final int maxBatchSizeInBytes;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    private volatile Status status = Status.LOADING;
    private volatile Errors failure = Errors.NOT_COORDINATOR;

    // Shard-thread state.
    private S state;
    private long nextAppendSeq;
    private long durableSeq = -1;
    private long failedSeq = Long.MAX_VALUE;
    private int appendsInFlight;
    private final TreeSet<Long> durableOutOfOrder = new TreeSet<>();
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    private final Map<String, Timer> timers = new HashMap<>();
    private long loadedRecords;
    /** The offset the next appended record gets. */
    private long nextOffset;

    /**
     * @param maxBatchSizeInBytes the largest batch the log accepts (the partition's
     *                            {@code max.message.bytes}); an operation writing more fails
     */
    public CoordinatorShard(
            String name,
            CoordinatorLog log,
            RecordSerde serde,
            Supplier<S> stateFactory,
            Executor executor,
            Clock clock,
            CoordinatorTimer timer,
            int maxBatchSizeInBytes) {
        this.maxBatchSizeInBytes = maxBatchSizeInBytes;
        this.name = name;
        this.log = log;
        this.serde = serde;
        this.stateFactory = stateFactory;
        this.executor = executor;
        this.clock = clock;
        this.timer = timer;
    }

    /** Starts loading the partition; {@link #loadFuture()} completes when it is served. */
    public void load() {
        executor.execute(this::doLoad);
    }

    /** Completes once the first load finished (exceptionally if it failed). */
    public CompletableFuture<Void> loadFuture() {
        return loaded;
    }

    public Status status() {
        return status;
    }

    /** The error a request gets when the shard is not {@link Status#ACTIVE}. */
    public Errors notActiveError() {
        switch (status) {
            case LOADING:
                return Errors.COORDINATOR_LOAD_IN_PROGRESS;
            case FAILED:
                return failure;
            default:
                return Errors.NOT_COORDINATOR;
        }
    }

    /**
     * Runs {@code operation} on the shard. The returned future completes with the operation's
     * result once everything written so far is durable, or fails with a
     * {@link CoordinatorException} (thrown by the operation, or NOT_COORDINATOR /
     * COORDINATOR_LOAD_IN_PROGRESS / a mapped write error).
     */
    public <R> CompletableFuture<R> submit(String operationName, Function<OperationContext, R> operation) {
        CompletableFuture<R> future = new CompletableFuture<>();
        if (status != Status.ACTIVE) {
            future.completeExceptionally(new CoordinatorException(notActiveError()));
            return future;
        }
        executor.execute(() -> runOperation(operationName, operation, future));
        return future;
    }

    /**
     * Stops serving: pending responses and parked requests fail with NOT_COORDINATOR, timers
     * are cancelled. The returned future completes on the shard's thread once that is done.
     */
    public CompletableFuture<Void> unload() {
        status = Status.CLOSED;
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            closeState(Errors.NOT_COORDINATOR);
            failDeferredFrom(Long.MIN_VALUE, Errors.NOT_COORDINATOR);
            loaded.complete(null);
            done.complete(null);
        });
        return done;
    }

    /**
     * The state, for tests and diagnostics. Must only be used on the shard's thread (for
     * example inside an operation, or in tests that run the shard on a direct executor).
     */
    public S state() {
        return state;
    }

    /** How many records the last load replayed. */
    public long loadedRecords() {
        return loadedRecords;
    }

    // ---------------------------------------------------------------------------------------
    // Shard thread.

    private void doLoad() {
        if (status == Status.CLOSED) {
            loaded.complete(null);
            return;
        }
        status = Status.LOADING;
        long startMs = clock.milliseconds();
        S fresh = stateFactory.get();
        Loader loader = new Loader(fresh);
        long endOffset;
        try {
            endOffset = log.replay(0L, loader);
        } catch (Throwable t) {
            LOG.error("{}: load failed, the partition stays unloaded", name, t);
            status = Status.CLOSED;
            loaded.completeExceptionally(t);
            return;
        }
        state = fresh;
        loadedRecords = loader.records;
        nextOffset = endOffset;
        // No append is in flight during a load: every earlier batch is settled (written or failed).
        failedSeq = Long.MAX_VALUE;
        durableSeq = nextAppendSeq - 1;
        durableOutOfOrder.clear();
        status = Status.ACTIVE;
        // An empty partition (most of them, on a young broker) is not worth a line each at INFO.
        LOG.atLevel(loader.records + loader.markers == 0 ? Level.DEBUG : Level.INFO)
                .log(
                        "{}: loaded {} records and {} transaction markers in {} ms",
                        name,
                        loader.records,
                        loader.markers,
                        clock.milliseconds() - startMs);
        Context ctx = new Context(clock.milliseconds());
        try {
            fresh.onLoaded(ctx);
        } finally {
            finish(ctx);
        }
        loaded.complete(null);
    }

    private <R> void runOperation(
            String operationName, Function<OperationContext, R> operation, CompletableFuture<R> future) {
        if (status != Status.ACTIVE) {
            future.completeExceptionally(new CoordinatorException(notActiveError()));
            return;
        }
        Context ctx = new Context(clock.milliseconds());
        R result;
        try {
            result = operation.apply(ctx);
        } catch (Throwable t) {
            ctx.closed = true;
            Throwable cause = CoordinatorException.unwrap(t);
            CoordinatorException error = cause instanceof CoordinatorException
                    ? (CoordinatorException) cause
                    : new CoordinatorException(Errors.UNKNOWN_SERVER_ERROR, "unexpected error in " + operationName);
            if (!(cause instanceof CoordinatorException)) {
                LOG.error("{}: operation {} failed unexpectedly", name, operationName, cause);
            }
            for (Deferred d : ctx.completions) {
                d.fail(error.error());
            }
            future.completeExceptionally(error);
            if (!ctx.writes.isEmpty()) {
                // Records were replayed but will not be written: rebuild the state from the log.
                LOG.error(
                        "{}: operation {} failed after appending {} records; reloading",
                        name,
                        operationName,
                        ctx.recordCount);
                startFailure(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            }
            return;
        }
        ctx.completions.add(new Deferred(future, result));
        finish(ctx);
    }

    private void finish(Context ctx) {
        ctx.closed = true;
        for (Write w : ctx.writes) {
            if (w.records != null && CoordinatorRecord.estimatedBatchSizeInBytes(w.records) > maxBatchSizeInBytes) {
                // Kafka refuses such a write before appending (RecordTooLargeException), which
                // clients see as UNKNOWN_SERVER_ERROR; the replayed records are undone by a reload.
                LOG.error(
                        "{}: an operation wrote {} records, more than the {} bytes a batch may hold; reloading",
                        name,
                        w.records.size(),
                        maxBatchSizeInBytes);
                Errors error = appendErrorToResponseError(Errors.MESSAGE_TOO_LARGE);
                for (Deferred d : ctx.completions) {
                    d.fail(error);
                }
                startFailure(Errors.COORDINATOR_LOAD_IN_PROGRESS);
                return;
            }
        }
        for (Write w : ctx.writes) {
            write(w);
        }
        long target = nextAppendSeq - 1;
        for (Deferred d : ctx.completions) {
            d.targetSeq = target;
            if (target <= durableSeq) {
                d.succeed();
            } else if (target >= failedSeq || status == Status.CLOSED) {
                d.fail(status == Status.CLOSED ? Errors.NOT_COORDINATOR : failure);
            } else {
                deferred.add(d);
            }
        }
    }

    /** Hands one batch or marker of an operation to the log; its completion comes back to the shard thread. */
    private void write(Write w) {
        long seq = nextAppendSeq++;
        appendsInFlight++;
        nextOffset += w.recordCount();
        long expectedLastOffset = nextOffset - 1;
        CompletableFuture<Long> append;
        try {
            if (w.records == null) {
                append = log.appendEndTransactionMarker(w.producerId, w.producerEpoch, w.coordinatorEpoch, w.commit);
            } else if (w.producerId == CoordinatorLog.NO_PRODUCER_ID) {
                append = log.append(List.copyOf(w.records));
            } else {
                append = log.appendTransactional(w.producerId, w.producerEpoch, List.copyOf(w.records));
            }
        } catch (Throwable t) {
            append = CompletableFuture.failedFuture(t);
        }
        append.whenComplete((lastOffset, error) ->
                executor.execute(() -> onAppendDone(seq, expectedLastOffset, lastOffset, error)));
    }

    private void onAppendDone(long seq, long expectedLastOffset, Long lastOffset, Throwable error) {
        appendsInFlight--;
        if (status == Status.CLOSED) {
            return;
        }
        if (error == null) {
            durableOutOfOrder.add(seq);
            while (!durableOutOfOrder.isEmpty() && durableOutOfOrder.first() == durableSeq + 1) {
                durableSeq = durableOutOfOrder.pollFirst();
            }
            while (!deferred.isEmpty() && deferred.peekFirst().targetSeq <= durableSeq) {
                deferred.pollFirst().succeed();
            }
            if (status == Status.ACTIVE && (lastOffset == null || lastOffset != expectedLastOffset)) {
                // The batch is durable, but the state replayed its records at other offsets.
                LOG.error(
                        "{}: a batch was written up to offset {} where the shard expected {}; reloading",
                        name,
                        lastOffset,
                        expectedLastOffset);
                startFailure(Errors.COORDINATOR_LOAD_IN_PROGRESS);
                return;
            }
        } else {
            Errors mapped = appendErrorToResponseError(CoordinatorException.errorOf(error));
            // A refusal of the batch's producer concerns that batch only: later operations get a
            // retriable error, as do requests while the state is rebuilt.
            Errors others = isRefusalOfTheBatch(mapped) ? Errors.COORDINATOR_LOAD_IN_PROGRESS : mapped;
            LOG.warn("{}: write failed with {} ({}); reloading from the log", name, mapped, error.getMessage());
            failedSeq = Math.min(failedSeq, seq);
            failDeferredFrom(seq, mapped, others);
            if (status == Status.ACTIVE) {
                startFailure(others);
            }
        }
        maybeReload();
    }

    private void startFailure(Errors error) {
        failure = error;
        status = Status.FAILED;
        closeState(error);
        maybeReload();
    }

    private void maybeReload() {
        if (status == Status.FAILED && appendsInFlight == 0) {
            doLoad();
        }
    }

    private void closeState(Errors error) {
        for (Timer t : timers.values()) {
            t.handle.cancel();
        }
        timers.clear();
        if (state != null) {
            try {
                state.onUnloaded(error);
            } catch (RuntimeException e) {
                LOG.error("{}: error while releasing parked requests", name, e);
            }
        }
    }

    private void failDeferredFrom(long seq, Errors error) {
        failDeferredFrom(seq, error, error);
    }

    /** Fails what waits for batch {@code seq} with {@code error} and what waits for a later one with {@code later}. */
    private void failDeferredFrom(long seq, Errors error, Errors later) {
        List<Deferred> keep = new ArrayList<>();
        while (!deferred.isEmpty()) {
            Deferred d = deferred.pollFirst();
            if (d.targetSeq == seq) {
                d.fail(error);
            } else if (d.targetSeq > seq) {
                d.fail(later);
            } else {
                keep.add(d);
            }
        }
        deferred.addAll(keep);
    }

    /**
     * Whether a write failed because the partition refused that batch for its producer (a fenced or
     * stale epoch, a transaction in the wrong state) rather than because the partition cannot take
     * writes: only the operation that wrote the batch is answered with it.
     */
    private static boolean isRefusalOfTheBatch(Errors error) {
        switch (error) {
            case INVALID_PRODUCER_EPOCH:
            case PRODUCER_FENCED:
            case INVALID_TXN_STATE:
            case INVALID_PRODUCER_ID_MAPPING:
            case TRANSACTION_ABORTABLE:
            case OUT_OF_ORDER_SEQUENCE_NUMBER:
            case INVALID_RECORD:
                return true;
            default:
                return false;
        }
    }

    /**
     * Kafka's mapping of a failed coordinator write to the error a client gets (the same as its
     * group coordinator service applies).
     */
    public static Errors appendErrorToResponseError(Errors appendError) {
        switch (appendError) {
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
            case REQUEST_TIMED_OUT:
                return Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER:
            case KAFKA_STORAGE_ERROR:
                return Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case INVALID_FETCH_SIZE:
                return Errors.UNKNOWN_SERVER_ERROR;
            default:
                return appendError;
        }
    }

    private void schedule(String key, long delayMs, Consumer<OperationContext> operation) {
        Timer previous = timers.remove(key);
        if (previous != null) {
            previous.handle.cancel();
        }
        Timer timer = new Timer(key, operation);
        timers.put(key, timer);
        timer.handle = this.timer.schedule(delayMs, () -> executor.execute(() -> fire(timer)));
    }

    private void fire(Timer timer) {
        if (timers.get(timer.key) != timer || status != Status.ACTIVE) {
            return;
        }
        timers.remove(timer.key);
        runOperation(
                "timer " + timer.key,
                ctx -> {
                    timer.operation.accept(ctx);
                    return null;
                },
                new CompletableFuture<>());
    }

    private final class Context implements OperationContext {
        private final long nowMs;
        /** The batches and markers of the operation, in the order they are written. */
        private final List<Write> writes = new ArrayList<>();

        private final List<Deferred> completions = new ArrayList<>();
        /** Records and markers appended so far: the offset of the next one is {@code nextOffset + recordCount}. */
        private int recordCount;

        private boolean closed;

        Context(long nowMs) {
            this.nowMs = nowMs;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("the operation has finished");
            }
        }

        @Override
        public long nowMs() {
            return nowMs;
        }

        @Override
        public void append(CoordinatorRecord record) {
            appendRecord(CoordinatorLog.NO_PRODUCER_ID, CoordinatorLog.NO_PRODUCER_EPOCH, record);
        }

        @Override
        public void appendTransactional(long producerId, short producerEpoch, CoordinatorRecord record) {
            if (producerId == CoordinatorLog.NO_PRODUCER_ID) {
                throw new IllegalArgumentException("a transactional record needs a producer id");
            }
            appendRecord(producerId, producerEpoch, record);
        }

        private void appendRecord(long producerId, short producerEpoch, CoordinatorRecord record) {
            checkOpen();
            state.replay(nextOffset + recordCount, producerId, producerEpoch, record);
            Write last = writes.isEmpty() ? null : writes.get(writes.size() - 1);
            if (last == null || !last.isBatchOf(producerId, producerEpoch)) {
                last = Write.batch(producerId, producerEpoch);
                writes.add(last);
            }
            last.records.add(record);
            recordCount++;
        }

        @Override
        public void appendEndTransactionMarker(
                long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
            checkOpen();
            state.replayEndTransactionMarker(nextOffset + recordCount, producerId, producerEpoch, commit);
            writes.add(Write.marker(producerId, producerEpoch, coordinatorEpoch, commit));
            recordCount++;
        }

        @Override
        public <T> void completeWhenDurable(CompletableFuture<T> future, T value) {
            checkOpen();
            completions.add(new Deferred(future, value));
        }

        @Override
        public void schedule(String key, long delayMs, Consumer<OperationContext> operation) {
            CoordinatorShard.this.schedule(key, delayMs, operation);
        }

        @Override
        public void scheduleIfAbsent(String key, long delayMs, Consumer<OperationContext> operation) {
            if (!timers.containsKey(key)) {
                CoordinatorShard.this.schedule(key, delayMs, operation);
            }
        }

        @Override
        public void cancel(String key) {
            Timer t = timers.remove(key);
            if (t != null) {
                t.handle.cancel();
            }
        }

        @Override
        public boolean isScheduled(String key) {
            return timers.containsKey(key);
        }
    }

    /** Replays what the log hands back into a fresh state, counting records and markers. */
    private final class Loader implements RecordVisitor {
        private final S target;
        long records;
        long markers;

        Loader(S target) {
            this.target = target;
        }

        @Override
        public void visit(long offset, long producerId, short producerEpoch, ByteBuffer key, ByteBuffer value) {
            CoordinatorRecord record = serde.decode(key, value);
            if (record != null) {
                target.replay(offset, producerId, producerEpoch, record);
                records++;
            }
        }

        @Override
        public void visitEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
            target.replayEndTransactionMarker(offset, producerId, producerEpoch, commit);
            markers++;
        }
    }

    /**
     * One write of an operation: a batch of records (plain, or transactional of one producer and
     * epoch), or a transaction marker ({@code records} null).
     */
    private static final class Write {
        final long producerId;
        final short producerEpoch;
        final List<CoordinatorRecord> records;
        final int coordinatorEpoch;
        final boolean commit;

        private Write(
                long producerId,
                short producerEpoch,
                List<CoordinatorRecord> records,
                int coordinatorEpoch,
                boolean commit) {
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.records = records;
            this.coordinatorEpoch = coordinatorEpoch;
            this.commit = commit;
        }

        static Write batch(long producerId, short producerEpoch) {
            return new Write(producerId, producerEpoch, new ArrayList<>(), -1, false);
        }

        static Write marker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
            return new Write(producerId, producerEpoch, null, coordinatorEpoch, commit);
        }

        boolean isBatchOf(long producerId, short producerEpoch) {
            return records != null && this.producerId == producerId && this.producerEpoch == producerEpoch;
        }

        /** The offsets it takes in the log: its records, or the marker's one control record. */
        int recordCount() {
            return records == null ? 1 : records.size();
        }
    }

    private static final class Timer {
        final String key;
        final Consumer<OperationContext> operation;
        CoordinatorTimer.Cancellable handle;

        Timer(String key, Consumer<OperationContext> operation) {
            this.key = key;
            this.operation = operation;
        }
    }

    private static final class Deferred {
        private final CompletableFuture<Object> future;
        private final Object value;
        long targetSeq;

        @SuppressWarnings("unchecked")
        <T> Deferred(CompletableFuture<T> future, T value) {
            this.future = (CompletableFuture<Object>) future;
            this.value = value;
        }

        void succeed() {
            future.complete(value);
        }

        void fail(Errors error) {
            future.completeExceptionally(new CoordinatorException(error));
        }
    }
}
