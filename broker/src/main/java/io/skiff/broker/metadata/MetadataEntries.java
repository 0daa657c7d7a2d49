package io.skiff.broker.metadata;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.protocol.MessageParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of a replicated quorum's entries ({@link MetadataQuorum.Entry}: a version byte, the
 * index decided on, the origin node, the request id, then the records, each length-prefixed in
 * {@link MetadataRecordCodec}'s form) and of its snapshots ({@link MetadataQuorum.State}: a version
 * byte, the last change, the applied index, the image offset, then the image as records). Heap
 * buffers only, released before returning. Stateless.
 */
final class MetadataEntries {
    private static final byte VERSION = 0;
    private static final int MAX_RECORD_BYTES = 1 << 20;

    private MetadataEntries() {}

    static byte[] encode(MetadataQuorum.Entry entry) {
        ByteBuf out = Unpooled.buffer(64);
        try {
            out.writeByte(VERSION);
            out.writeLong(entry.basedOn());
            out.writeInt(entry.origin());
            out.writeLong(entry.requestId());
            writeRecords(entry.records(), out);
            return bytes(out);
        } finally {
            out.release();
        }
    }

    static MetadataQuorum.Entry decode(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        checkVersion(in);
        long basedOn = in.readLong();
        int origin = in.readInt();
        long requestId = in.readLong();
        return new MetadataQuorum.Entry(basedOn, origin, requestId, readRecords(in));
    }

    static byte[] encodeState(MetadataQuorum.State state) {
        ByteBuf out = Unpooled.buffer(1024);
        try {
            out.writeByte(VERSION);
            out.writeLong(state.lastChange());
            out.writeLong(state.applied());
            out.writeLong(state.image().offset());
            writeRecords(state.image().asRecords(), out);
            return bytes(out);
        } finally {
            out.release();
        }
    }

    static MetadataQuorum.State decodeState(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        checkVersion(in);
        long lastChange = in.readLong();
        long applied = in.readLong();
        long offset = in.readLong();
        MetadataImage image = MetadataImage.EMPTY;
        for (MetadataRecord r : readRecords(in)) {
            image = image.apply(r);
        }
        return new MetadataQuorum.State(image.withOffset(offset), lastChange, applied);
    }

    private static void checkVersion(ByteBuf in) {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new MessageParseException("metadata entry version " + version + " is not known");
        }
    }

    private static void writeRecords(List<MetadataRecord> records, ByteBuf out) {
        out.writeInt(records.size());
        for (MetadataRecord r : records) {
            int at = out.writerIndex();
            out.writeInt(0);
            MetadataRecordCodec.write(r, out);
            out.setInt(at, out.writerIndex() - at - 4);
        }
    }

    private static List<MetadataRecord> readRecords(ByteBuf in) {
        int n = in.readInt();
        if (n < 0 || n > in.readableBytes()) {
            throw new MessageParseException("metadata entry of " + n + " records in " + in.readableBytes() + " bytes");
        }
        List<MetadataRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            if (length < 2 || length > MAX_RECORD_BYTES || length > in.readableBytes()) {
                throw new MessageParseException("metadata record of " + length + " bytes");
            }
            out.add(MetadataRecordCodec.read(in.readSlice(length)));
        }
        return out;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
