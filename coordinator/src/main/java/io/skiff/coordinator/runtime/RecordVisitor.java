package io.skiff.coordinator.runtime;

import java.nio.ByteBuffer;

/**
 * Receives the records of a coordinator partition while it is loaded, in offset order.
 */
@FunctionalInterface
public interface RecordVisitor {
    /**
     * One data record. {@code key} and {@code value} are borrowed for the duration of the call
     * only (the visitor copies what it keeps); {@code value} is null for a tombstone.
     */
    void visit(long offset, ByteBuffer key, ByteBuffer value);
}
