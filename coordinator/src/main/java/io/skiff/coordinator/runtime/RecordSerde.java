package io.skiff.coordinator.runtime;

import java.nio.ByteBuffer;

/** Turns the bytes of a coordinator partition's records back into {@link CoordinatorRecord}s. */
public interface RecordSerde {
    /**
     * Decodes one record. {@code key} and {@code value} are borrowed for the call only.
     *
     * @return the record, or null if its type is unknown to this coordinator (it is skipped)
     * @throws RuntimeException if the bytes are not a valid record of a known type
     */
    CoordinatorRecord decode(ByteBuffer key, ByteBuffer value);
}
