package io.skiff.wire.compress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes gzip members (RFC 1952) with the optional header fields GZIPOutputStream never writes. */
final class GzipMembers {
    private GzipMembers() {}

    /** One member holding {@code payload}, with the header fields named by {@code flags}. */
    static byte[] member(byte[] payload, int flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(GzipDescriptor.ID1);
        out.write(GzipDescriptor.ID2);
        out.write(GzipDescriptor.CM_DEFLATE);
        out.write(flags);
        writeIntLE(out, 0x5eadbeef); // MTIME
        out.write(0); // XFL
        out.write(3); // OS: Unix
        if ((flags & GzipDescriptor.FLG_FEXTRA) != 0) {
            byte[] extra = {'S', 'k', 4, 0, 1, 2, 3, 4};
            out.write(extra.length);
            out.write(0);
            out.writeBytes(extra);
        }
        if ((flags & GzipDescriptor.FLG_FNAME) != 0) {
            out.writeBytes("records.bin".getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        if ((flags & GzipDescriptor.FLG_FCOMMENT) != 0) {
            out.writeBytes("written by a test".getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        if ((flags & GzipDescriptor.FLG_FHCRC) != 0) {
            CRC32 headerCrc = new CRC32();
            headerCrc.update(out.toByteArray());
            int crc16 = (int) headerCrc.getValue() & 0xffff;
            out.write(crc16 & 0xff);
            out.write(crc16 >>> 8);
        }
        Deflater deflater = new Deflater(6, true);
        deflater.setInput(payload);
        deflater.finish();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            int n = deflater.deflate(buf);
            out.write(buf, 0, n);
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(payload);
        writeIntLE(out, (int) crc.getValue());
        writeIntLE(out, payload.length);
        return out.toByteArray();
    }

    private static void writeIntLE(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
