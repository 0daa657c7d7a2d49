package io.skiff.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard workloads (issue #6, items a-h) and the quick subset. Durations are chosen so
 * that the full suite, three rounds against both brokers, stays under ten minutes on a 2-core
 * machine; the quick subset takes about a minute.
 */
public final class Suite {
    private Suite() {}

    public static List<Workload> standard() {
        List<Workload> w = new ArrayList<>();
        w.add(Workload.parse(
                "name=a-1k-acks1 kind=produce record.size=1024 partitions=1 acks=1 duration.ms=6000",
                "(a) 1 KiB, acks=1, 1 partition"));
        w.add(Workload.parse(
                "name=b-1k-acksall-idem kind=produce record.size=1024 partitions=1 acks=all idempotence=true"
                        + " duration.ms=6000",
                "(b) 1 KiB, acks=all, idempotent"));
        w.add(Workload.parse(
                "name=c-1k-6p-2prod kind=produce record.size=1024 partitions=6 producers=2 acks=1"
                        + " duration.ms=6000",
                "(c) 1 KiB, 6 partitions, 2 producers"));
        w.add(Workload.parse(
                "name=d-100b kind=produce record.size=100 partitions=1 acks=1 duration.ms=6000",
                "(d) 100-byte records"));
        w.add(Workload.parse(
                "name=e-lz4 kind=produce record.size=1024 partitions=1 acks=1 compression=lz4 duration.ms=6000",
                "(e) 1 KiB, lz4"));
        w.add(Workload.parse(
                "name=e-zstd kind=produce record.size=1024 partitions=1 acks=1 compression=zstd duration.ms=6000",
                "(e) 1 KiB, zstd"));
        w.add(Workload.parse(
                "name=f-consume kind=consume record.size=1024 partitions=1 acks=1 fill.ms=6000 consumers=1",
                "(f) consume everything from offset 0"));
        w.add(Workload.parse(
                "name=g-e2e-5k kind=e2e record.size=1024 partitions=1 acks=1 linger.ms=0 rate=5000"
                        + " warmup.ms=2000 duration.ms=10000",
                "(g) end-to-end latency at 5,000 records/s"));
        w.add(Workload.parse(
                "name=l-mixed-e2e kind=e2e record.size=1024 partitions=2 acks=1 linger.ms=0 rate=1000 flood=1"
                        + " warmup.ms=2000 duration.ms=10000",
                "(l) end-to-end latency at 1,000 records/s on one partition while another is flooded"));
        w.add(Workload.parse(
                "name=h-fsync kind=produce record.size=1024 partitions=1 acks=all idempotence=true"
                        + " duration.ms=6000 skiff.mode=fsync",
                "(h) Skiff with fsync durability vs Kafka default, as (b)"));
        return w;
    }

    /**
     * The consumer-group workloads (issue #5): not in the standard suite, which they would take
     * past ten minutes; run them with {@code --only i-group-form,j-group-leave,k-group-consume}.
     * Members heart-beat every 100 ms (the client's default is 3 s): a member learns of a
     * rebalance at its next heartbeat, so with the default the figures would mostly measure
     * that wait instead of the broker.
     */
    public static List<Workload> groups() {
        List<Workload> w = new ArrayList<>();
        w.add(Workload.parse(
                "name=i-group-form kind=group-form partitions=10 consumers=10 heartbeat.interval.ms=100"
                        + " session.timeout.ms=10000",
                "(i) ten classic consumers form a group (first poll to all assigned)"));
        w.add(Workload.parse(
                "name=j-group-leave kind=group-leave partitions=10 consumers=10 heartbeat.interval.ms=100"
                        + " session.timeout.ms=10000",
                "(j) one of ten leaves; until the other nine settle"));
        w.add(Workload.parse(
                "name=k-group-consume kind=group-consume record.size=1024 partitions=6 consumers=3 acks=1"
                        + " fill.ms=6000 heartbeat.interval.ms=100 session.timeout.ms=10000",
                "(k) three consumers in a group read a six-partition topic, committing after every poll"));
        return w;
    }

    /**
     * The transaction workloads: not in the standard suite; run them with
     * {@code --only t-txn-1k,u-txn-consume}. Both use 1 KiB records in transactions of 1,000.
     */
    public static List<Workload> transactions() {
        List<Workload> w = new ArrayList<>();
        w.add(Workload.parse(
                "name=t-txn-1k kind=produce record.size=1024 partitions=1 acks=all idempotence=true"
                        + " records.per.txn=1000 duration.ms=6000",
                "(t) transactional producer, 1,000 records per transaction, commit each"));
        w.add(Workload.parse(
                "name=u-txn-consume kind=consume record.size=1024 partitions=1 acks=all idempotence=true"
                        + " records.per.txn=1000 fill.ms=6000 isolation.level=read_committed",
                "(u) read_committed consumer reading (t)'s committed transactions from offset 0"));
        return w;
    }

    /** Every named workload: the standard suite, the group and the transaction workloads, for {@code --only}. */
    public static List<Workload> all() {
        List<Workload> w = new ArrayList<>(standard());
        w.addAll(groups());
        w.addAll(transactions());
        return w;
    }

    /** An unreported group run per broker before the first round, when group workloads are run. */
    public static List<Workload> groupWarmups() {
        return List.of(Workload.parse(
                "name=warmup-group kind=group-form partitions=10 consumers=10 heartbeat.interval.ms=100"
                        + " session.timeout.ms=10000",
                "JIT warm-up"));
    }

    public static List<Workload> quick() {
        List<Workload> w = new ArrayList<>();
        w.add(Workload.parse(
                "name=a-1k-acks1 kind=produce record.size=1024 partitions=1 acks=1 duration.ms=3000",
                "(a) 1 KiB, acks=1, 1 partition"));
        w.add(Workload.parse(
                "name=f-consume kind=consume record.size=1024 partitions=1 acks=1 fill.ms=2000 consumers=1",
                "(f) consume everything from offset 0"));
        w.add(Workload.parse(
                "name=g-e2e-5k kind=e2e record.size=1024 partitions=1 acks=1 linger.ms=0 rate=5000"
                        + " warmup.ms=1000 duration.ms=5000",
                "(g) end-to-end latency at 5,000 records/s"));
        return w;
    }

    /**
     * Runs per broker before the first round, not reported, so that neither broker is timed
     * while its JIT compiler warms up: produce (uncompressed and zstd) and consume paths.
     */
    public static List<Workload> warmups(boolean quick) {
        List<Workload> w = new ArrayList<>();
        if (quick) {
            w.add(Workload.parse(
                    "name=warmup-produce kind=produce record.size=1024 acks=1 duration.ms=5000", "JIT warm-up"));
            return w;
        }
        w.add(Workload.parse(
                "name=warmup-produce kind=produce record.size=1024 acks=1 duration.ms=8000", "JIT warm-up"));
        w.add(Workload.parse(
                "name=warmup-zstd kind=produce record.size=1024 acks=1 compression=zstd duration.ms=3000",
                "JIT warm-up"));
        w.add(Workload.parse("name=warmup-consume kind=consume record.size=1024 acks=1 fill.ms=3000", "JIT warm-up"));
        return w;
    }
}
