package io.skiff.wire.record;

import java.util.Objects;

/** One rejected record of a batch: its index in the batch and why, as a Produce response carries it. Immutable. */
public final class RecordError {
    private final int batchIndex;
    private final String message;

    public RecordError(int batchIndex, String message) {
        this.batchIndex = batchIndex;
        this.message = message;
    }

    public int batchIndex() {
        return batchIndex;
    }

    /** The message, or null. */
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordError
                && ((RecordError) o).batchIndex == batchIndex
                && Objects.equals(((RecordError) o).message, message);
    }

    @Override
    public int hashCode() {
        return batchIndex * 31 + (message == null ? 0 : message.hashCode());
    }

    @Override
    public String toString() {
        return "RecordError(batchIndex=" + batchIndex + ", message='" + message + "')";
    }
}
