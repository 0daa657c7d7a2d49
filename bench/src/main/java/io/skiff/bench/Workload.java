package io.skiff.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One load-runner workload: what to send, how, and for how long. Immutable; built from
 * {@code key=value} pairs so that the same spelling works on the command line and in the suite.
 *
 * <p>Kinds:
 * <ul>
 *   <li>{@code produce}: {@link #producers} producers send as fast as they can for
 *       {@link #durationMs}, then wait for every acknowledgement.</li>
 *   <li>{@code consume}: the topic is first filled for {@link #fillMs} (not measured), then
 *       {@link #consumers} consumers read everything from the beginning.</li>
 *   <li>{@code e2e}: one producer sends at a fixed {@link #rate} for {@link #durationMs} while
 *       one consumer reads; latency from the scheduled send time to the record's arrival.</li>
 * </ul>
 */
public final class Workload {
    public enum Kind { PRODUCE, CONSUME, E2E }

    /** Which Skiff instance serves this workload in side-by-side mode. */
    public enum SkiffMode { DEFAULT, FSYNC }

    public final String name;
    public final String description;
    public final Kind kind;
    public final int recordSizeInBytes;
    public final int partitions;
    public final String acks;
    public final boolean idempotence;
    public final String compression;
    public final int lingerMs;
    public final int batchSizeInBytes;
    public final int producers;
    public final int consumers;
    public final long durationMs;
    public final long warmupMs;
    public final long fillMs;
    public final int rate;
    public final SkiffMode skiffMode;

    private Workload(Map<String, String> p) {
        Map<String, String> m = new LinkedHashMap<>(p);
        this.name = take(m, "name", "workload");
        this.description = take(m, "description", "");
        this.kind = Kind.valueOf(take(m, "kind", "produce").toUpperCase(Locale.ROOT));
        this.recordSizeInBytes = Integer.parseInt(take(m, "record.size", "1024"));
        this.partitions = Integer.parseInt(take(m, "partitions", "1"));
        this.acks = take(m, "acks", "1");
        this.idempotence = Boolean.parseBoolean(take(m, "idempotence", "false"));
        this.compression = take(m, "compression", "none");
        // Apache Kafka 4's producer defaults: linger.ms=5, batch.size=16384.
        this.lingerMs = Integer.parseInt(take(m, "linger.ms", "5"));
        this.batchSizeInBytes = Integer.parseInt(take(m, "batch.size", "16384"));
        this.producers = Integer.parseInt(take(m, "producers", "1"));
        this.consumers = Integer.parseInt(take(m, "consumers", "1"));
        this.durationMs = Long.parseLong(take(m, "duration.ms", "6000"));
        this.warmupMs = Long.parseLong(take(m, "warmup.ms", "0"));
        this.fillMs = Long.parseLong(take(m, "fill.ms", "4000"));
        this.rate = Integer.parseInt(take(m, "rate", "0"));
        this.skiffMode = SkiffMode.valueOf(take(m, "skiff.mode", "default").toUpperCase(Locale.ROOT));
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("unknown workload keys " + m.keySet() + " in " + name);
        }
        if (recordSizeInBytes < 8) {
            throw new IllegalArgumentException("record.size must be at least 8 (it carries a timestamp): " + recordSizeInBytes);
        }
        if (partitions < 1 || producers < 1 || consumers < 1) {
            throw new IllegalArgumentException("partitions, producers and consumers must be at least 1 in " + name);
        }
        if (kind == Kind.E2E && rate <= 0) {
            throw new IllegalArgumentException("an e2e workload needs rate > 0: " + name);
        }
        if (idempotence && !"all".equals(acks) && !"-1".equals(acks)) {
            throw new IllegalArgumentException("idempotence needs acks=all: " + name);
        }
    }

    private static String take(Map<String, String> m, String key, String dflt) {
        String v = m.remove(key);
        return v == null ? dflt : v;
    }

    /** Parses {@code key=value} pairs separated by commas or whitespace. */
    public static Workload parse(String spec) {
        return parse(spec, null);
    }

    /** As {@link #parse(String)}, with a free-text description (which may hold spaces). */
    public static Workload parse(String spec, String description) {
        Map<String, String> m = new LinkedHashMap<>();
        if (description != null) {
            m.put("description", description);
        }
        for (String part : spec.trim().split("[,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + part + "'");
            }
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Workload(m);
    }

    public static Workload of(Map<String, String> m) {
        return new Workload(m);
    }

    /** A one-line summary of the parameters, for tables and JSON. */
    public String parameters() {
        StringBuilder sb = new StringBuilder();
        sb.append(kind.name().toLowerCase(Locale.ROOT))
            .append(" size=").append(recordSizeInBytes)
            .append(" p=").append(partitions)
            .append(" acks=").append(acks)
            .append(" idem=").append(idempotence)
            .append(" comp=").append(compression)
            .append(" linger=").append(lingerMs)
            .append(" batch=").append(batchSizeInBytes)
            .append(" prod=").append(producers)
            .append(" cons=").append(consumers);
        if (kind == Kind.E2E) {
            sb.append(" rate=").append(rate);
        }
        if (kind == Kind.CONSUME) {
            sb.append(" fill.ms=").append(fillMs);
        } else {
            sb.append(" dur.ms=").append(durationMs);
        }
        if (skiffMode != SkiffMode.DEFAULT) {
            sb.append(" skiff=").append(skiffMode.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    /** A generous upper bound on the wall time of one run, after which it is abandoned as failed. */
    public long deadlineMs() {
        return durationMs + warmupMs + fillMs + 60_000;
    }
}
