package io.skiff.compat;

import io.skiff.wire.generator.FieldType;
import io.skiff.wire.generator.Schema.FieldSpec;
import io.skiff.wire.generator.Schema.MessageSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A structure-aware generator of Kafka request frames, driven by the request schemas
 * ({@link RequestSchemas}): for a seed it picks an API key and one of its versions and encodes
 * a request with random field values, compact or classic encodings and tagged fields as the
 * schema says for that version. Then, depending on the seed, it leaves it valid, corrupts it
 * while encoding (negative lengths, huge array counts, lying string sizes, invalid UTF-8,
 * unknown or disordered tagged fields, corrupt record batches, decompression bombs, the other
 * header version) or corrupts the finished frame (flipped bytes, overwritten integers, a body
 * cut short, a frame cut short, two frames in one write, a size that lies, an unknown API key or
 * version). The same seed and topic ids always give the same bytes. Each call uses its own
 * {@link Random}, so one fuzzer is safe to share between threads.
 */
final class ProtocolFuzzer {
    /** One fuzzed frame; {@code closeAfter} when no answer can come (the frame is cut short). */
    record Fuzzed(long seed, String what, int correlationId, byte[] frame, boolean closeAfter) {
        String describe() {
            return "seed " + seed + " (" + what + "): " + FuzzBytes.hex(frame, 512);
        }
    }

    private final List<MessageSpec> specs;
    private final List<byte[]> topicIds;

    ProtocolFuzzer(List<MessageSpec> specs, List<byte[]> topicIds) {
        this.specs = specs;
        this.topicIds = topicIds;
    }

    Fuzzed generate(long seed) {
        Random r = new Random(seed);
        MessageSpec spec = specs.get(r.nextInt(specs.size()));
        short version = (short)
                (spec.validVersions.lowest + r.nextInt(spec.validVersions.highest - spec.validVersions.lowest + 1));
        int mode = r.nextInt(100);
        double hostileRate = mode < 40 ? 0 : mode < 75 ? 0.03 + r.nextDouble() * 0.1 : 0;
        Encoder enc = new Encoder(r, hostileRate);
        boolean flexible = spec.flexibleVersions.contains(version);
        FuzzBytes body = new FuzzBytes();
        enc.fields(spec.fields, version, flexible, body);
        int correlationId = r.nextInt(Integer.MAX_VALUE);
        boolean headerFlexible = flexible ^ (hostileRate > 0 && r.nextInt(20) == 0);
        boolean headerV0 = spec.apiKey == 7 && version == 0;
        FuzzBytes header = new FuzzBytes().i16(spec.apiKey).i16(version).i32(correlationId);
        if (!headerV0) {
            byte[] client = enc.hostile() ? FuzzValues.string(r, "ClientId", true) : "fuzz-client".getBytes();
            header.i16(enc.hostile() ? (int) FuzzValues.extremeLong(r) : client.length)
                    .raw(client);
            if (headerFlexible) {
                enc.taggedFields(List.of(), version, header);
            }
        }
        byte[] payload =
                new FuzzBytes().raw(header.toArray()).raw(body.toArray()).toArray();
        String what = spec.name + " v" + version + (mode < 40 ? " valid" : mode < 75 ? " hostile fields" : "");
        Fuzzed f = new Fuzzed(seed, what, correlationId, frame(payload.length, payload), false);
        return mode < 75 ? f : mutate(r, f, payload);
    }

    private static byte[] frame(int size, byte[] payload) {
        return new FuzzBytes().i32(size).raw(payload).toArray();
    }

    private Fuzzed mutate(Random r, Fuzzed f, byte[] payload) {
        byte[] p = payload.clone();
        switch (r.nextInt(9)) {
            case 0:
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    p[r.nextInt(p.length)] ^= (byte) (1 + r.nextInt(255));
                }
                return with(f, "flipped bytes", frame(p.length, p), false);
            case 1:
                if (p.length >= 4) {
                    FuzzBytes b = new FuzzBytes().raw(p);
                    b.putI32(r.nextInt(p.length - 3), (int) FuzzValues.extremeLong(r));
                    p = b.toArray();
                }
                return with(f, "overwritten int32", frame(p.length, p), false);
            case 2:
                byte[] cut = Arrays.copyOf(p, r.nextInt(p.length));
                return with(f, "body cut short", frame(cut.length, cut), false);
            case 3:
                byte[] part = Arrays.copyOf(p, r.nextInt(p.length));
                return with(f, "frame cut short", frame(p.length, part), true);
            case 4:
                Fuzzed other = generate(r.nextLong());
                byte[] two = new FuzzBytes().raw(f.frame()).raw(other.frame()).toArray();
                return with(f, "two frames", two, other.closeAfter());
            case 5:
                int size = r.nextBoolean() ? (int) FuzzValues.extremeLong(r) : p.length + 1 + r.nextInt(100);
                return with(f, "lying size " + size, frame(size, p), true);
            case 6:
                FuzzBytes k = new FuzzBytes().raw(p);
                k.putI32(0, r.nextBoolean() ? (r.nextInt(200) << 16) | r.nextInt(20) : r.nextInt());
                return with(f, "unknown key or version", frame(p.length, k.toArray()), false);
            case 7:
                byte[] garbage = new byte[1 + r.nextInt(64)];
                r.nextBytes(garbage);
                byte[] longer = new FuzzBytes().raw(p).raw(garbage).toArray();
                return with(f, "trailing garbage", frame(longer.length, longer), false);
            default:
                byte[] noise = new byte[r.nextInt(256)];
                r.nextBytes(noise);
                return with(f, "random body", frame(8 + noise.length, concat(p, 8, noise)), false);
        }
    }

    private static byte[] concat(byte[] p, int keep, byte[] tail) {
        FuzzBytes b = new FuzzBytes().raw(Arrays.copyOf(p, Math.min(keep, p.length)));
        for (int i = p.length; i < keep; i++) {
            b.i8(0);
        }
        return b.raw(tail).toArray();
    }

    private static Fuzzed with(Fuzzed f, String mutation, byte[] frame, boolean closeAfter) {
        return new Fuzzed(f.seed(), f.what() + " " + mutation, f.correlationId(), frame, closeAfter);
    }

    /** Encodes fields of one request as its schema says; one per request (holds its random source). */
    private final class Encoder {
        private final Random r;
        private final double hostileRate;

        Encoder(Random r, double hostileRate) {
            this.r = r;
            this.hostileRate = hostileRate;
        }

        boolean hostile() {
            return hostileRate > 0 && r.nextDouble() < hostileRate;
        }

        void fields(List<FieldSpec> fields, short v, boolean flexible, FuzzBytes out) {
            List<FieldSpec> tagged = new ArrayList<>();
            for (FieldSpec f : fields) {
                if (f.taggedVersions.contains(v)) {
                    tagged.add(f);
                } else if (f.versions.contains(v)) {
                    boolean fieldFlexible = f.flexibleVersions != null ? f.flexibleVersions.contains(v) : flexible;
                    value(f, f.type, v, fieldFlexible, f.nullableVersions.contains(v), out);
                }
            }
            if (flexible) {
                taggedFields(tagged, v, out);
            }
        }

        void taggedFields(List<FieldSpec> tagged, short v, FuzzBytes out) {
            List<FieldSpec> chosen = new ArrayList<>();
            for (FieldSpec f : tagged) {
                if (r.nextBoolean()) {
                    chosen.add(f);
                }
            }
            chosen.sort(Comparator.comparingInt(f -> f.tag));
            List<byte[]> values = new ArrayList<>();
            List<Integer> tags = new ArrayList<>();
            for (FieldSpec f : chosen) {
                FuzzBytes b = new FuzzBytes();
                value(f, f.type, v, true, f.nullableVersions.contains(v), b);
                tags.add(f.tag);
                values.add(b.toArray());
            }
            if (hostile()) {
                byte[] unknown = new byte[r.nextInt(32)];
                r.nextBytes(unknown);
                tags.add(r.nextBoolean() ? 10_000 + r.nextInt(1000) : (tags.isEmpty() ? 0 : tags.get(0)));
                values.add(unknown);
            }
            out.uvarint(hostile() ? (int) FuzzValues.extremeLong(r) : tags.size());
            for (int i = 0; i < tags.size(); i++) {
                byte[] value = values.get(i);
                out.uvarint(tags.get(i))
                        .uvarint(hostile() ? (int) FuzzValues.extremeLong(r) : value.length)
                        .raw(value);
            }
        }

        private void value(FieldSpec f, FieldType type, short v, boolean flexible, boolean nullable, FuzzBytes out) {
            switch (type.kind) {
                case BOOL:
                    out.i8(hostile() ? r.nextInt(256) : r.nextBoolean() ? 1 : 0);
                    break;
                case INT8:
                    out.i8((int) FuzzValues.number(r, f.name, hostile()));
                    break;
                case INT16:
                case UINT16:
                    out.i16((int) FuzzValues.number(r, f.name, hostile()));
                    break;
                case INT32:
                case UINT32:
                    out.i32((int) FuzzValues.number(r, f.name, hostile()));
                    break;
                case INT64:
                    out.i64(FuzzValues.number(r, f.name, hostile()));
                    break;
                case FLOAT64:
                    double[] doubles = {0, 1.5, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e300};
                    out.i64(Double.doubleToRawLongBits(doubles[r.nextInt(doubles.length)]));
                    break;
                case UUID:
                    out.raw(uuid());
                    break;
                case STRING:
                    sized(FuzzValues.string(r, f.name, hostile()), flexible, nullable, true, out);
                    break;
                case BYTES:
                    byte[] bytes = new byte[r.nextInt(16)];
                    r.nextBytes(bytes);
                    sized(bytes, flexible, nullable, false, out);
                    break;
                case RECORDS:
                    sized(FuzzRecords.batches(r, hostileRate > 0), flexible, nullable, false, out);
                    break;
                case STRUCT:
                    if (nullable) {
                        out.i8(r.nextInt(10) == 0 ? -1 : 1);
                    }
                    fields(f.struct.fields, v, flexible, out);
                    break;
                default:
                    array(f, type, v, flexible, nullable, out);
            }
        }

        private void array(FieldSpec f, FieldType type, short v, boolean flexible, boolean nullable, FuzzBytes out) {
            if (nullable && r.nextInt(10) == 0) {
                length(-1, flexible, false, out);
                return;
            }
            int count = r.nextInt(4);
            int written = hostile() ? (int) FuzzValues.extremeLong(r) : count;
            length(written, flexible, false, out);
            for (int i = 0; i < count; i++) {
                if (type.element.isStruct()) {
                    fields(f.struct.fields, v, flexible, out);
                } else {
                    value(f, type.element, v, flexible, false, out);
                }
            }
        }

        private void sized(byte[] value, boolean flexible, boolean nullable, boolean isString, FuzzBytes out) {
            if (nullable && r.nextInt(10) == 0) {
                length(-1, flexible, isString, out);
                return;
            }
            int written = value.length;
            if (hostile()) {
                written = r.nextBoolean() ? -2 - r.nextInt(100) : (int) FuzzValues.extremeLong(r);
            }
            length(written, flexible, isString, out);
            out.raw(value);
        }

        private void length(int n, boolean flexible, boolean isString, FuzzBytes out) {
            if (flexible) {
                out.uvarint(n + 1);
            } else if (isString) {
                out.i16(n);
            } else {
                out.i32(n);
            }
        }

        private byte[] uuid() {
            int pick = r.nextInt(10);
            if (pick < 6 && !topicIds.isEmpty()) {
                return topicIds.get(r.nextInt(topicIds.size()));
            }
            byte[] b = new byte[16];
            if (pick < 9) {
                r.nextBytes(b);
            }
            return b;
        }
    }
}
