package io.skiff.broker.coordinator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.broker.handler.StorageErrors;
import io.skiff.broker.partition.NotCommittedException;
import io.skiff.broker.partition.Partition;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorLogException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.RecordVisitor;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.ReadResult;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * A partition of a coordinator's internal topic ({@code __consumer_offsets}, ...) as the
 * coordinator sees it: the adapter from {@link CoordinatorLog} to the partition. Appends become one
 * uncompressed record batch each (a transactional one of its producer for transactional appends)
 * through the {@link Partition}, in the epoch of the shard's election (a partition now led in another epoch refuses the write with NOT_COORDINATOR), answered
 * once committed (the high watermark passed it: at once on a single node) and, in fsync
 * durability mode, fsynced; replay reads the
 * partition batch by batch and hands the coordinator every data record with its batch's producer
 * id and epoch, and every transaction marker ({@link CoordinatorBatchDecoder}).
 * Thread-safety: as {@link CoordinatorLog} requires (one shard thread calls it).
 */
final class PartitionCoordinatorLog implements CoordinatorLog {
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private final Partition partition;
    private final PartitionLog log;
    private final int leaderEpoch;
    private final boolean fsync;
    private final LongSupplier clockMs;

    PartitionCoordinatorLog(Partition partition, int leaderEpoch, boolean fsync, LongSupplier clockMs) {
        this.partition = partition;
        this.log = partition.log();
        this.leaderEpoch = leaderEpoch;
        this.fsync = fsync;
        this.clockMs = clockMs;
    }

    @Override
    public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
        return appendBatch(
                CoordinatorLog.NO_PRODUCER_ID, CoordinatorLog.NO_PRODUCER_EPOCH, 0, records, partition::appendAsLeader);
    }

    /**
     * One transactional batch of the producer, base sequence -1, as Kafka's coordinator writes
     * transactional offset commits, through the partition's coordinator-origin append
     * ({@link Partition#appendFromCoordinator}), which skips the sequence checks.
     */
    @Override
    public CompletableFuture<Long> appendTransactional(
            long producerId, short producerEpoch, List<CoordinatorRecord> records) {
        return appendBatch(
                producerId,
                producerEpoch,
                RecordBatchDescriptor.TRANSACTIONAL_FLAG_MASK,
                records,
                partition::appendFromCoordinator);
    }

    /**
     * A commit or abort control batch of the producer (after the same leadership check as every
     * append); its {@code AppendResult} goes through {@link #committed(AppendResult)} like a batch's.
     */
    @Override
    public CompletableFuture<Long> appendEndTransactionMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        CompletableFuture<Long> notLeading = notLeading();
        if (notLeading != null) {
            return notLeading;
        }
        return committed(
                partition.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, clockMs.getAsLong()));
    }

    /** A failed append when the partition is no longer led here in the election's epoch, else null. */
    private CompletableFuture<Long> notLeading() {
        if (partition.leaderEpoch() != leaderEpoch || !partition.isLeader()) {
            return CompletableFuture.failedFuture(new CoordinatorLogException(
                    Errors.NOT_COORDINATOR,
                    "the partition is led in epoch " + partition.leaderEpoch() + ", not " + leaderEpoch));
        }
        return null;
    }

    /** How a built batch (borrowed) is handed to the partition. */
    @FunctionalInterface
    private interface BatchAppender {
        AppendResult append(ByteBuf batch, long nowMs);
    }

    /**
     * Builds the records into one batch of the producer (none: -1) with {@code attributes}, hands
     * it to {@code appender} in the election's epoch, and completes once it is committed.
     */
    private CompletableFuture<Long> appendBatch(
            long producerId,
            short producerEpoch,
            int attributes,
            List<CoordinatorRecord> records,
            BatchAppender appender) {
        CompletableFuture<Long> notLeading = notLeading();
        if (notLeading != null) {
            return notLeading;
        }
        long now = clockMs.getAsLong();
        ByteBuf batch = batch(producerId, producerEpoch, attributes, records, now, PooledByteBufAllocator.DEFAULT);
        AppendResult result;
        try {
            result = appender.append(batch, now);
        } finally {
            batch.release();
        }
        return committed(result);
    }

    /**
     * The future of an append the partition answered with {@code result}: failed with its protocol
     * error, or completed with the last offset once that is committed.
     */
    private CompletableFuture<Long> committed(AppendResult result) {
        if (!result.isSuccess()) {
            return CompletableFuture.failedFuture(appendFailure(result));
        }
        return whenCommitted(result.lastOffset());
    }

    /**
     * The uncompressed batch (a new buffer the caller owns) of {@code records} as a coordinator
     * writes it: base sequence -1, the producer (or none: -1) and {@code attributes} (the
     * transactional flag for a transaction's records), every record at {@code nowMs}.
     */
    static ByteBuf batch(
            long producerId,
            short producerEpoch,
            int attributes,
            List<CoordinatorRecord> records,
            long nowMs,
            ByteBufAllocator alloc) {
        List<byte[]> keys = new ArrayList<>(records.size());
        List<byte[]> values = new ArrayList<>(records.size());
        for (CoordinatorRecord r : records) {
            keys.add(r.keyBytes());
            values.add(r.valueBytes());
        }
        return RecordBatchBuilder.build(
                alloc, nowMs, producerId, producerEpoch, RecordBatchDescriptor.NO_SEQUENCE, attributes, keys, values);
    }

    /** Completes with {@code last} once it is below the high watermark and, in fsync mode, fsynced. */
    private CompletableFuture<Long> whenCommitted(long last) {
        CompletableFuture<Void> committed = partition.awaitHighWatermark(last + 1);
        CompletableFuture<Void> durable = fsync ? log.awaitDurable(last) : null;
        if (committed == null && durable == null) {
            return CompletableFuture.completedFuture(last);
        }
        CompletableFuture<Void> all =
                committed == null ? durable : durable == null ? committed : CompletableFuture.allOf(committed, durable);
        return all.handle((ok, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                Errors e = cause instanceof NotCommittedException nc ? nc.error() : Errors.KAFKA_STORAGE_ERROR;
                throw new CoordinatorLogException(e, cause.toString());
            }
            return last;
        });
    }

    /** The protocol error of a refused append; the one place that reads the storage outcome. */
    private static CoordinatorLogException appendFailure(AppendResult result) {
        Errors error = StorageErrors.of(result.outcome());
        Errors e = error == Errors.MESSAGE_TOO_LARGE ? Errors.RECORD_LIST_TOO_LARGE : error;
        return new CoordinatorLogException(e, result.diagnostic());
    }

    /**
     * Reads the partition from {@code fromOffset} to the high watermark, batch by batch, and hands
     * every data record (with its batch's producer) and every transaction marker to {@code visitor}.
     */
    @Override
    public long replay(long fromOffset, RecordVisitor visitor) {
        long next = Math.max(fromOffset, log.logStartOffset());
        RecordBatch batch = new RecordBatch();
        while (next < partition.highWatermark()) {
            ReadResult read = log.read(next, READ_CHUNK_BYTES, partition.highWatermark(), true);
            if (StorageErrors.of(read.outcome()) != Errors.NONE
                    || read.records() == null
                    || read.records().sizeInBytes() == 0) {
                break;
            }
            ByteBuf chunk = Unpooled.buffer(read.records().sizeInBytes());
            try {
                read.records().copyTo(chunk);
                int at = 0;
                long before = next;
                while (at + RecordBatchDescriptor.HEADER_SIZE <= chunk.writerIndex()) {
                    batch.wrap(chunk, at);
                    int size = batch.sizeInBytes();
                    if (size < RecordBatchDescriptor.HEADER_SIZE || at + size > chunk.writerIndex()) {
                        break; // a batch cut by the read limit: read again from it
                    }
                    if (batch.lastOffset() >= next) {
                        CoordinatorBatchDecoder.decode(batch, next, visitor);
                    }
                    next = Math.max(next, batch.lastOffset() + 1);
                    at += size;
                }
                if (next == before) {
                    throw new IllegalStateException("no progress replaying " + log + " at offset " + next);
                }
            } finally {
                chunk.release();
            }
        }
        return next;
    }
}
