package io.skiff.compat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random field values for the fuzzer, biased by field name so that valid requests reach deep
 * into the handlers (partition indexes that exist, short timeouts, the fuzz topic's name) and
 * biased towards extremes when hostile. Partition and replica counts stay small even when
 * hostile: a request asking for a billion partitions is a legitimate admin operation, not
 * malformed input. Stateless; safe to share between threads.
 */
final class FuzzValues {
    /** Topic names the fuzzer may touch; the health-check topic is never among them. */
    static final String[] TOPICS = {"fuzz", "fuzz-b", "fuzz-c"};

    private static final long[] EXTREMES = {
        0,
        1,
        -1,
        -2,
        Byte.MAX_VALUE,
        Byte.MIN_VALUE,
        Short.MAX_VALUE,
        Short.MIN_VALUE,
        0xFFFF,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        Integer.MAX_VALUE - 1,
        1 << 20,
        100 << 20,
        Long.MAX_VALUE,
        Long.MIN_VALUE
    };

    private FuzzValues() {}

    static long extremeLong(Random r) {
        return r.nextInt(4) == 0 ? r.nextLong() : EXTREMES[r.nextInt(EXTREMES.length)];
    }

    /** An integer value for a field called {@code name}. */
    static long number(Random r, String name, boolean hostile) {
        if (name.equals("NumPartitions") || name.equals("ReplicationFactor") || name.equals("Count")) {
            return r.nextInt(8) - 2;
        }
        if (hostile) {
            return extremeLong(r);
        }
        if (name.contains("Partition") || name.contains("BrokerId") || name.equals("NodeId")) {
            return r.nextInt(10) == 0 ? -1 : r.nextInt(4);
        }
        if (name.contains("Timeout") || name.contains("MaxWait") || name.endsWith("Ms")) {
            return r.nextInt(50);
        }
        if (name.equals("Acks")) {
            return r.nextInt(3) - 1;
        }
        if (name.contains("Offset")) {
            return r.nextInt(8) == 0 ? -1 - r.nextInt(2) : r.nextInt(100);
        }
        if (name.contains("Epoch") || name.contains("ProducerId")) {
            return r.nextInt(4) - 1;
        }
        if (name.contains("Bytes")) {
            return r.nextBoolean() ? 1 << 20 : r.nextInt(4096);
        }
        return r.nextInt(3) == 0 ? extremeLong(r) : r.nextInt(5);
    }

    /** A string value for a field called {@code name}, as UTF-8; hostile ones may not be UTF-8 at all. */
    static byte[] string(Random r, String name, boolean hostile) {
        if (hostile) {
            switch (r.nextInt(4)) {
                case 0:
                    return new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE};
                case 1:
                    return new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}; // a lone surrogate
                case 2:
                    return "x".repeat(1 + r.nextInt(40_000)).getBytes(StandardCharsets.UTF_8);
                default:
                    return new byte[] {0, '/', '.', '.'};
            }
        }
        String s;
        if (name.contains("Topic") || name.equals("Name") || name.equals("ResourceName")) {
            s = r.nextInt(6) == 0 ? "fuzz-" + r.nextInt(8) : TOPICS[r.nextInt(TOPICS.length)];
        } else if (name.contains("Group")) {
            s = "fuzz-group-" + r.nextInt(3);
        } else if (name.contains("Transactional")) {
            s = "fuzz-txn-" + r.nextInt(3);
        } else {
            s = r.nextInt(4) == 0 ? "" : randomName(r);
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String randomName(Random r) {
        StringBuilder sb = new StringBuilder();
        int len = r.nextInt(12);
        for (int i = 0; i < len; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
