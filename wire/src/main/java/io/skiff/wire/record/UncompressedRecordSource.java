package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;

/** A {@link RecordSource} over the records of an uncompressed batch, read in place. Not thread-safe. */
public final class UncompressedRecordSource implements RecordSource {
    private ByteBuf buf;
    private int position;
    private int limit;
    private String failure;

    @Override
    public boolean open(RecordBatch batch) {
        if (batch.isCompressed()) {
            return false;
        }
        buf = batch.buffer();
        position = batch.offset() + RecordBatchDescriptor.RECORDS_OFFSET;
        limit = batch.offset() + batch.sizeInBytes();
        failure = null;
        return true;
    }

    @Override
    public boolean next(RecordView view) {
        int size = view.parse(buf, position, limit);
        if (size < 0) {
            failure = view.failure();
            return false;
        }
        position += size;
        return true;
    }

    @Override
    public boolean hasRemaining() {
        return position < limit;
    }

    @Override
    public String failure() {
        return failure;
    }
}
