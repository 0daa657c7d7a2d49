package io.skiff.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

/**
 * Record batches (magic 2) for the fuzzer's {@code records} fields: valid ones with random
 * records, and ones with a header field or a record field corrupted (with the CRC recomputed
 * most of the time, so the corruption reaches the validation behind the checksum), gzip-compressed
 * ones, and a decompression bomb (a small gzip payload that inflates to 64 MB of zeros).
 * Stateless apart from the bomb, which is made once; safe to share between threads.
 */
final class FuzzRecords {
    private static final int HEADER = 61;
    private static final byte[] BOMB = gzip(new byte[64 << 20]);

    private FuzzRecords() {}

    /** One or (rarely) two batches; {@code hostile} makes corruption likely. */
    static byte[] batches(Random r, boolean hostile) {
        byte[] first = batch(r, hostile);
        if (r.nextInt(10) != 0) {
            return first;
        }
        return new FuzzBytes().raw(first).raw(batch(r, hostile)).toArray();
    }

    private static byte[] batch(Random r, boolean hostile) {
        int count = 1 + r.nextInt(3);
        int codec = r.nextInt(20) == 0 ? 1 : 0;
        byte[] records;
        if (hostile && r.nextInt(8) == 0) {
            records = BOMB;
            codec = 1;
            count = r.nextBoolean() ? 1 : Integer.MAX_VALUE;
        } else {
            records = records(r, count, hostile && r.nextInt(3) == 0);
            if (codec == 1) {
                records = gzip(records);
            }
        }
        long now = 1_750_000_000_000L + r.nextInt(1 << 20);
        long[] header = {
            0L, // base offset
            HEADER - 12 + records.length, // batch length
            -1, // partition leader epoch
            2, // magic
            codec | (r.nextInt(10) == 0 ? 0x10 : 0) | (r.nextInt(10) == 0 ? 0x08 : 0), // attributes
            count - 1, // last offset delta
            now, // base timestamp
            now + count, // max timestamp
            -1L, // producer id
            -1, // producer epoch
            -1, // base sequence
            count // record count
        };
        if (hostile && r.nextInt(2) == 0) {
            header[r.nextInt(header.length)] = FuzzValues.extremeLong(r);
        }
        FuzzBytes b = new FuzzBytes()
                .i64(header[0])
                .i32((int) header[1])
                .i32((int) header[2])
                .i8((int) header[3])
                .i32(0); // the CRC, filled in below
        b.i16((int) header[4])
                .i32((int) header[5])
                .i64(header[6])
                .i64(header[7])
                .i64(header[8])
                .i16((int) header[9])
                .i32((int) header[10])
                .i32((int) header[11])
                .raw(records);
        byte[] out = b.toArray();
        if (!hostile || r.nextInt(4) != 0) {
            CRC32C crc = new CRC32C();
            crc.update(out, 21, out.length - 21);
            b.putI32(17, (int) crc.getValue());
            out = b.toArray();
        }
        return out;
    }

    private static byte[] records(Random r, int count, boolean corrupt) {
        FuzzBytes all = new FuzzBytes();
        for (int i = 0; i < count; i++) {
            int[] fields = {
                0, // attributes
                r.nextInt(5), // timestamp delta
                i, // offset delta
                r.nextBoolean() ? -1 : r.nextInt(8), // key length
                r.nextInt(16), // value length
                r.nextInt(3) // header count
            };
            int lengthLie = 0;
            if (corrupt) {
                int which = r.nextInt(fields.length + 1);
                if (which == fields.length) {
                    lengthLie = r.nextBoolean() ? -r.nextInt(20) - 1 : r.nextInt(1 << 20);
                } else {
                    fields[which] = (int) FuzzValues.extremeLong(r);
                }
            }
            FuzzBytes rec = new FuzzBytes()
                    .i8(fields[0])
                    .varlong(fields[1])
                    .varint(fields[2])
                    .varint(fields[3]);
            rec.raw(randomBytes(r, fields[3])).varint(fields[4]).raw(randomBytes(r, fields[4]));
            rec.varint(fields[5]);
            for (int h = 0; h < Math.min(Math.max(fields[5], 0), 4); h++) {
                rec.varint(1).raw(new byte[] {'h'}).varint(1).raw(new byte[] {(byte) h});
            }
            byte[] body = rec.toArray();
            all.varint(body.length + lengthLie).raw(body);
        }
        return all.toArray();
    }

    private static byte[] randomBytes(Random r, int length) {
        byte[] b = new byte[Math.min(Math.max(length, 0), 64)];
        r.nextBytes(b);
        return b;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
