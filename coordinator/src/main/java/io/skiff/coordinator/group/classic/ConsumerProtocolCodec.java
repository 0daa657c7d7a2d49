package io.skiff.coordinator.group.classic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.message.ConsumerProtocolAssignment;
import io.skiff.wire.message.ConsumerProtocolSubscription;
import java.util.List;

/**
 * Reads and writes the embedded protocol of Kafka consumers ({@code protocol_type=consumer}):
 * an int16 version followed by a ConsumerProtocolSubscription or ConsumerProtocolAssignment.
 * Versions above the highest known are read as the highest known, which is a prefix of them.
 * Stateless.
 */
public final class ConsumerProtocolCodec {
    private ConsumerProtocolCodec() {}

    /** The topics a subscription names, or null if the bytes are not a consumer subscription. */
    public static List<String> subscribedTopics(byte[] metadata) {
        ConsumerProtocolSubscription s = subscription(metadata, true);
        return s == null ? null : s.topics();
    }

    /**
     * Parses a subscription, or returns null if the bytes are malformed.
     *
     * @param baseOnly read only the version 0 fields, which every version starts with
     */
    public static ConsumerProtocolSubscription subscription(byte[] metadata, boolean baseOnly) {
        if (metadata == null || metadata.length < 2) {
            return null;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(metadata);
        try {
            short version = buf.readShort();
            if (version < 0) {
                return null;
            }
            short readAs =
                    baseOnly ? 0 : (short) Math.min(version, ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION);
            return new ConsumerProtocolSubscription(buf, readAs);
        } catch (RuntimeException e) {
            return null;
        } finally {
            buf.release();
        }
    }

    /** The version prefix of consumer protocol bytes, or -1. */
    public static short version(byte[] metadata) {
        if (metadata == null || metadata.length < 2) {
            return -1;
        }
        return (short) (((metadata[0] & 0xff) << 8) | (metadata[1] & 0xff));
    }

    /** Serializes an assignment at {@code version} (capped at the highest known version). */
    public static byte[] serializeAssignment(ConsumerProtocolAssignment assignment, short version) {
        short v = (short) Math.max(0, Math.min(version, ConsumerProtocolAssignment.HIGHEST_SUPPORTED_VERSION));
        int size = 2 + assignment.size(v);
        byte[] out = new byte[size];
        ByteBuf buf = Unpooled.wrappedBuffer(out).writerIndex(0);
        try {
            buf.writeShort(v);
            assignment.write(buf, v);
        } finally {
            buf.release();
        }
        return out;
    }

    /** Parses an assignment, or returns null if the bytes are malformed. */
    public static ConsumerProtocolAssignment assignment(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            return null;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            short version = buf.readShort();
            short readAs = (short) Math.max(0, Math.min(version, ConsumerProtocolAssignment.HIGHEST_SUPPORTED_VERSION));
            return new ConsumerProtocolAssignment(buf, readAs);
        } catch (RuntimeException e) {
            return null;
        } finally {
            buf.release();
        }
    }
}
