package io.skiff.broker.replication;

import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of ISR changes, as Kafka's AlterPartition: now and then (every half of
 * {@code replica.lag.time.max.ms}, at most every 500 ms) each partition led here drops the in-sync
 * followers that have not caught up for {@code replica.lag.time.max.ms} and adds back those that
 * reached the high watermark; the change is a {@link MetadataRecord.PartitionChanged} decided on
 * the image and checked there against the partition epoch (and leader epoch) the leader last
 * applied: when the image has moved on, nothing is written and the leader decides again once its
 * partition has the newer state. A fenced broker is never added. One change in flight at a time.
 * Thread-safe; runs on its own timer thread.
 */
public final class IsrManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IsrManager.class);

    private final PartitionManager partitions;
    private final MetadataManager metadata;
    private final long lagTimeMaxMs;
    private final LongSupplier clockMs;
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile LongConsumer shrinks = n -> {};
    private volatile LongConsumer expands = n -> {};
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "skiff-isr");
        t.setDaemon(true);
        return t;
    });

    public IsrManager(PartitionManager partitions, MetadataManager metadata, long lagTimeMaxMs, LongSupplier clockMs) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.lagTimeMaxMs = lagTimeMaxMs;
        this.clockMs = clockMs;
    }

    /** Told, after each applied ISR change, how many ISRs shrank and how many grew (for the meters). */
    public void countChangesWith(LongConsumer shrinks, LongConsumer expands) {
        this.shrinks = shrinks;
        this.expands = expands;
    }

    public void start() {
        long every = Math.max(10, Math.min(500, lagTimeMaxMs / 2));
        timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** One round: the changes the hosted leaders want, written in one decision. */
    void check() {
        try {
            long now = clockMs.getAsLong();
            if (decide(metadata.image(), now, false).isEmpty() || !writing.compareAndSet(false, true)) {
                return;
            }
            metadata.write(image -> {
                        List<MetadataRecord> changes = decide(image, now, true);
                        return new MetadataManager.Decision<>(changes, changeCounts(image, changes));
                    })
                    .whenComplete((counts, e) -> {
                        writing.set(false);
                        if (e != null) {
                            LOG.warn("An ISR change failed: {}", e.toString());
                        } else if (counts != null) {
                            shrinks.accept(counts[0]);
                            expands.accept(counts[1]);
                        }
                    });
        } catch (RuntimeException e) {
            LOG.error("ISR check failed", e);
        }
    }

    /**
     * The ISR changes of the partitions led here, on {@code image}; none where the image moved past
     * them. {@code log}: say each change (the decision that writes them does).
     */
    List<MetadataRecord> decide(MetadataImage image, long nowMs, boolean log) {
        List<MetadataRecord> out = new ArrayList<>();
        int self = partitions.nodeId();
        for (Partition p : partitions.partitions()) {
            if (!p.isLeader() || p.replicas().size() < 2) {
                continue;
            }
            TopicImage t = image.topic(p.topicPartition().topic());
            PartitionImage state = t == null
                    ? null
                    : image.partition(t.id(), p.topicPartition().partition());
            if (state == null
                    || state.leader() != self
                    || state.leaderEpoch() != p.leaderEpoch()
                    || state.partitionEpoch() != p.partitionEpoch()) {
                continue; // stale: the partition gets the image's state first, then decides again
            }
            List<Integer> isr = isrAfter(image, state, p.laggingFollowers(nowMs, lagTimeMaxMs), p.caughtUpFollowers());
            if (!isr.equals(state.isr())) {
                if (log) {
                    LOG.info(
                            "Changing the ISR of {} from {} to {} (partition epoch {})",
                            p.topicPartition(),
                            state.isr(),
                            isr,
                            state.partitionEpoch() + 1);
                }
                out.add(new MetadataRecord.PartitionChanged(
                        t.id(),
                        p.topicPartition().partition(),
                        isr,
                        state.leader(),
                        state.leaderEpoch(),
                        state.partitionEpoch() + 1));
            }
        }
        return out;
    }

    /** {shrunk, grown}: how many of {@code changes} make an ISR of {@code image} smaller, and larger. */
    private static long[] changeCounts(MetadataImage image, List<MetadataRecord> changes) {
        long[] counts = new long[2];
        for (MetadataRecord r : changes) {
            if (r instanceof MetadataRecord.PartitionChanged c) {
                PartitionImage before = image.partition(c.topicId(), c.partition());
                int was = before == null ? 0 : before.isr().size();
                if (c.isr().size() < was) {
                    counts[0]++;
                } else if (c.isr().size() > was) {
                    counts[1]++;
                }
            }
        }
        return counts;
    }

    /**
     * {@code state}'s ISR without {@code lagging} (never the leader) and with {@code caughtUp}
     * replicas that are registered and unfenced, in replica order.
     */
    static List<Integer> isrAfter(
            MetadataImage image, PartitionImage state, List<Integer> lagging, List<Integer> caughtUp) {
        List<Integer> isr = new ArrayList<>();
        for (int r : state.replicas()) {
            boolean in = state.inIsr(r) && (r == state.leader() || !lagging.contains(r));
            BrokerImage b = image.brokers().get(r);
            boolean joins = !state.inIsr(r) && caughtUp.contains(r) && b != null && b.active();
            if (in || joins) {
                isr.add(r);
            }
        }
        return isr;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
