package io.skiff.broker.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.broker.handler.StorageErrors;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorLogException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.RecordVisitor;
import io.skiff.storage.AppendResult;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.ReadResult;
import io.skiff.wire.compress.Codecs;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Wire;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.record.RecordBatchBuilder;
import io.skiff.wire.record.RecordBatchDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A partition of {@code __consumer_offsets} as the group coordinator sees it: appends become one
 * uncompressed record batch each, answered once durable (after fsync in fsync durability mode,
 * at once otherwise: a single node's high watermark follows its log end); replay reads the
 * partition from its start, batch by batch, and hands the coordinator every data record.
 * Thread-safety: as {@link CoordinatorLog} requires (one shard thread calls it).
 */
final class PartitionCoordinatorLog implements CoordinatorLog {
    private static final int READ_CHUNK_BYTES = 1 << 20;
    static final int LEADER_EPOCH = 0;

    private final PartitionLog log;
    private final boolean fsync;
    private final LongSupplier clockMs;

    PartitionCoordinatorLog(PartitionLog log, boolean fsync, LongSupplier clockMs) {
        this.log = log;
        this.fsync = fsync;
        this.clockMs = clockMs;
    }

    @Override
    public CompletableFuture<Long> append(List<CoordinatorRecord> records) {
        List<byte[]> keys = new ArrayList<>(records.size());
        List<byte[]> values = new ArrayList<>(records.size());
        for (CoordinatorRecord r : records) {
            keys.add(r.keyBytes());
            values.add(r.valueBytes());
        }
        long now = clockMs.getAsLong();
        ByteBuf batch = RecordBatchBuilder.build(PooledByteBufAllocator.DEFAULT, now, keys, values);
        AppendResult result;
        try {
            result = log.appendAsLeader(batch, LEADER_EPOCH, now);
        } finally {
            batch.release();
        }
        if (!result.isSuccess()) {
            Errors error = StorageErrors.of(result.outcome());
            Errors e = error == Errors.MESSAGE_TOO_LARGE ? Errors.RECORD_LIST_TOO_LARGE : error;
            return CompletableFuture.failedFuture(new CoordinatorLogException(e, result.diagnostic()));
        }
        long last = result.lastOffset();
        if (!fsync) {
            return CompletableFuture.completedFuture(last);
        }
        return log.awaitDurable(last).handle((ok, failure) -> {
            if (failure != null) {
                throw new CoordinatorLogException(Errors.KAFKA_STORAGE_ERROR, failure.toString());
            }
            return last;
        });
    }

    @Override
    public long replay(long fromOffset, RecordVisitor visitor) {
        long next = Math.max(fromOffset, log.logStartOffset());
        RecordBatch batch = new RecordBatch();
        while (next < log.highWatermark()) {
            ReadResult read = log.read(next, READ_CHUNK_BYTES, log.highWatermark(), true);
            if (StorageErrors.of(read.outcome()) != Errors.NONE || read.records() == null
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
                    if (batch.lastOffset() >= next && !batch.isControl()) {
                        visitBatch(batch, next, visitor);
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

    private static void visitBatch(RecordBatch batch, long from, RecordVisitor visitor) {
        ByteBuf records;
        ByteBuf owned = null;
        int start = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        int length = batch.sizeInBytes() - RecordBatchDescriptor.RECORDS_OFFSET;
        if (batch.isCompressed()) {
            owned = Unpooled.buffer(length * 4);
            try (InputStream in = Codecs.decompress(batch.compressionCodecId(), batch.buffer().slice(start, length))) {
                owned.writeBytes(in.readAllBytes());
            } catch (IOException e) {
                owned.release();
                throw new IllegalStateException("corrupt compressed batch in " + batch, e);
            }
            records = owned;
        } else {
            records = batch.buffer().slice(start, length);
        }
        try {
            for (int i = 0; i < batch.recordsCount(); i++) {
                int bodyLength = Wire.readVarint(records);
                int bodyEnd = records.readerIndex() + bodyLength;
                records.skipBytes(1); // attributes
                Wire.readVarlong(records); // timestamp delta
                int offsetDelta = Wire.readVarint(records);
                ByteBuffer key = slice(records, Wire.readVarint(records));
                ByteBuffer value = slice(records, Wire.readVarint(records));
                records.readerIndex(bodyEnd);
                long offset = batch.baseOffset() + offsetDelta;
                if (offset >= from && key != null) {
                    visitor.visit(offset, key, value);
                }
            }
        } finally {
            if (owned != null) {
                owned.release();
            }
        }
    }

    private static ByteBuffer slice(ByteBuf buf, int length) {
        if (length < 0) {
            return null;
        }
        ByteBuffer b = buf.nioBuffer(buf.readerIndex(), length);
        buf.skipBytes(length);
        return b;
    }
}
