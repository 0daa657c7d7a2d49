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
 *       one consumer reads; latency from the scheduled send time to the record's arrival. With
 *       {@link #flood} producers, the paced producer and the consumer use partition 0 only while
 *       the flood producers send to partition 1 as fast as they can (mixed load: the paced
 *       partition's latency next to a flooded one).</li>
 *   <li>{@code group-form}: {@link #consumers} classic-protocol consumers subscribe to a topic of
 *       {@link #partitions} partitions in one new group; the time from their first poll to the
 *       moment the last of them holds its partitions in a generation all of them share.</li>
 *   <li>{@code group-leave}: such a group forms (not measured), then one member closes (a
 *       LeaveGroup); the time until every other member holds its new partitions in a new,
 *       shared generation.</li>
 *   <li>{@code group-consume}: the topic is filled for {@link #fillMs}, then {@link #consumers}
 *       consumers in one group form (paused, not measured) and read everything, committing
 *       asynchronously after every poll.</li>
 * </ul>
 * The group kinds take the consumers' {@code heartbeat.interval.ms} and {@code session.timeout.ms}
 * from {@link #heartbeatIntervalMs} and {@link #sessionTimeoutMs} (0: the client's defaults).
 */
public final class Workload {
    public enum Kind {
        PRODUCE,
        CONSUME,
        E2E,
        GROUP_FORM,
        GROUP_LEAVE,
        GROUP_CONSUME;

        /** The consumer-group kinds. */
        public boolean group() {
            return this == GROUP_FORM || this == GROUP_LEAVE || this == GROUP_CONSUME;
        }
    }

    /** Which Skiff instance serves this workload in side-by-side mode. */
    public enum SkiffMode {
        DEFAULT,
        FSYNC
    }

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
    public final int heartbeatIntervalMs;
    public final int sessionTimeoutMs;
    public final SkiffMode skiffMode;
    /** Records per transaction of a transactional producer; 0 for a producer without transactions. */
    public final int recordsPerTxn;
    /** The consumers' isolation.level. */
    public final String isolationLevel;
    /** e2e only: producers flooding partition 1 while the paced one writes partition 0. */
    public final int flood;

    private Workload(Map<String, String> p) {
        Map<String, String> m = new LinkedHashMap<>(p);
        this.name = take(m, "name", "workload");
        this.description = take(m, "description", "");
        this.kind =
                Kind.valueOf(take(m, "kind", "produce").toUpperCase(Locale.ROOT).replace('-', '_'));
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
        this.heartbeatIntervalMs = Integer.parseInt(take(m, "heartbeat.interval.ms", "0"));
        this.sessionTimeoutMs = Integer.parseInt(take(m, "session.timeout.ms", "0"));
        this.skiffMode = SkiffMode.valueOf(take(m, "skiff.mode", "default").toUpperCase(Locale.ROOT));
        this.recordsPerTxn = Integer.parseInt(take(m, "records.per.txn", "0"));
        this.isolationLevel = take(m, "isolation.level", "read_uncommitted");
        this.flood = Integer.parseInt(take(m, "flood", "0"));
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("unknown workload keys " + m.keySet() + " in " + name);
        }
        if (recordSizeInBytes < 8) {
            throw new IllegalArgumentException(
                    "record.size must be at least 8 (it carries a timestamp): " + recordSizeInBytes);
        }
        if (partitions < 1 || producers < 1 || consumers < 1) {
            throw new IllegalArgumentException("partitions, producers and consumers must be at least 1 in " + name);
        }
        if (kind == Kind.E2E && rate <= 0) {
            throw new IllegalArgumentException("an e2e workload needs rate > 0: " + name);
        }
        if (flood < 0 || (flood > 0 && (kind != Kind.E2E || partitions < 2))) {
            throw new IllegalArgumentException("flood applies to e2e workloads of at least 2 partitions: " + name);
        }
        if ((kind == Kind.GROUP_FORM || kind == Kind.GROUP_LEAVE) && partitions < consumers) {
            throw new IllegalArgumentException("a group-form or group-leave workload needs partitions >= consumers"
                    + " (every member gets a partition): " + name);
        }
        if (kind == Kind.GROUP_LEAVE && consumers < 2) {
            throw new IllegalArgumentException("a group-leave workload needs at least 2 consumers: " + name);
        }
        if (recordsPerTxn < 0 || (recordsPerTxn > 0 && !idempotence)) {
            throw new IllegalArgumentException("a transactional workload needs idempotence=true: " + name);
        }
        if (recordsPerTxn > 0 && kind != Kind.PRODUCE && kind != Kind.CONSUME) {
            throw new IllegalArgumentException("records.per.txn applies to produce and consume workloads: " + name);
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
        sb.append(kind.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append(" size=")
                .append(recordSizeInBytes)
                .append(" p=")
                .append(partitions)
                .append(" acks=")
                .append(acks)
                .append(" idem=")
                .append(idempotence)
                .append(" comp=")
                .append(compression)
                .append(" linger=")
                .append(lingerMs)
                .append(" batch=")
                .append(batchSizeInBytes)
                .append(" prod=")
                .append(producers)
                .append(" cons=")
                .append(consumers);
        if (kind == Kind.E2E) {
            sb.append(" rate=").append(rate);
            if (flood > 0) {
                sb.append(" flood=").append(flood);
            }
        }
        if (kind.group()) {
            sb.append(" hb.ms=")
                    .append(heartbeatIntervalMs == 0 ? "default" : Integer.toString(heartbeatIntervalMs))
                    .append(" session.ms=")
                    .append(sessionTimeoutMs == 0 ? "default" : Integer.toString(sessionTimeoutMs));
        }
        if (kind == Kind.CONSUME || kind == Kind.GROUP_CONSUME) {
            sb.append(" fill.ms=").append(fillMs);
        } else if (kind.group()) {
            // no duration: a group run lasts until the group has settled
        } else {
            sb.append(" dur.ms=").append(durationMs);
        }
        if (recordsPerTxn > 0) {
            sb.append(" txn=").append(recordsPerTxn);
        }
        if (!"read_uncommitted".equals(isolationLevel)) {
            sb.append(" isolation=").append(isolationLevel);
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
