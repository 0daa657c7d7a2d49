package io.skiff.wire.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A protocol structure generated from a message schema: a request, a response, a header, or a
 * struct nested in one of them. Instances are mutable and not thread-safe.
 */
public interface Message {
    short lowestSupportedVersion();

    short highestSupportedVersion();

    /**
     * Replaces this instance's fields with those read from {@code buf} at {@code version}.
     * Borrows {@code buf}; records fields are retained slices of it (see {@link #release()}).
     *
     * @throws MessageParseException if the bytes do not form a valid message
     * @throws IndexOutOfBoundsException if the bytes end early
     */
    void read(ByteBuf buf, short version);

    /** Writes this message at {@code version}; records are copied into {@code buf}. Borrows {@code buf}. */
    default void write(ByteBuf buf, short version) {
        write(buf, version, null);
    }

    /**
     * Writes this message at {@code version}. Where a records field goes, its length prefix is
     * written to {@code buf} and then, if {@code sink} is non-null, the sink is told where the
     * records belong instead of having them copied (zero-copy sends).
     *
     * @throws UnsupportedVersionException if a field that the version lacks holds a non-default value
     */
    void write(ByteBuf buf, short version, RecordsSink sink);

    /** The exact number of bytes {@link #write} produces at {@code version}, records included. */
    int size(short version);

    /** Tagged fields read that this version of Skiff does not know; kept and written back. */
    List<RawTaggedField> unknownTaggedFields();

    /**
     * Tells {@code sink} the value of every {@code ErrorCode} field this message carries at
     * {@code version}, its own and those of the structs it holds, in schema order; a message
     * without such fields tells nothing. Allocates nothing.
     */
    default void countErrors(short version, ErrorCodeSink sink) {}

    /** Releases the buffers held by records fields, if any. Idempotent. */
    default void release() {}
}
