package io.skiff.broker.cluster;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's automatic preferred-leader rebalance ({@code auto.leader.rebalance.enable},
 * every {@code leader.imbalance.check.interval.seconds}), as Kafka's KRaft controller does it: a
 * partition is imbalanced when its leader is not its first replica (or it has none); each check
 * decides a PREFERRED election ({@link RequestedElection}) for the imbalanced partitions, at most
 * {@link #MAX_ELECTIONS_PER_CHECK} of them, and writes the moves in one metadata entry. Kafka 4.3.1
 * has no per-broker threshold any more: any imbalanced partition whose preferred replica is live and
 * in the ISR moves. With the rebalance disabled a check only logs how many partitions are imbalanced.
 * Runs on {@link BrokerLifecycle}'s timer; acts only where this node is the Ratis leader; one write in
 * flight at a time.
 */
final class LeaderRebalance {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderRebalance.class);
    /** The most elections one check writes, as Kafka's controller; the next check follows at once. */
    static final int MAX_ELECTIONS_PER_CHECK = 1000;

    private final RatisQuorum quorum;
    private final MetadataManager metadata;
    private final boolean enabled;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong checks = new AtomicLong();

    LeaderRebalance(RatisQuorum quorum, MetadataManager metadata, boolean enabled) {
        this.quorum = quorum;
        this.metadata = metadata;
        this.enabled = enabled;
    }

    /** The partitions of {@code image} not led by their preferred (first) replica. */
    static int imbalanced(MetadataImage image) {
        int n = 0;
        for (TopicImage t : image.topics()) {
            for (PartitionImage p : image.partitions(t.id()).values()) {
                if (!p.replicas().isEmpty() && p.leader() != p.replicas().get(0)) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * The preferred-leader elections of one check on {@code image}: a PREFERRED election of every
     * imbalanced partition that can have one, the first {@code max} of them.
     */
    static List<MetadataRecord> decide(MetadataImage image, int max) {
        List<MetadataRecord> records = RequestedElection.decide(image, RequestedElection.PREFERRED, null)
                .records();
        return records.size() <= max ? records : List.copyOf(records.subList(0, max));
    }

    /**
     * One check; returns true when it left elections for an immediate next check (more than
     * {@link #MAX_ELECTIONS_PER_CHECK}).
     */
    boolean check() {
        if (!quorum.isLeader()) {
            return false;
        }
        MetadataImage image = metadata.image();
        int imbalanced = imbalanced(image);
        if (imbalanced == 0) {
            return false;
        }
        long n = checks.incrementAndGet();
        if (!enabled) {
            LOG.info(
                    "Leader imbalance check {}: {} partitions are not led by their preferred replica;"
                            + " auto.leader.rebalance.enable is false, so they stay",
                    n,
                    imbalanced);
            return false;
        }
        List<MetadataRecord> moves = decide(image, MAX_ELECTIONS_PER_CHECK);
        if (moves.isEmpty()) {
            LOG.debug(
                    "Leader imbalance check {}: {} partitions are not led by their preferred replica, none of which"
                            + " is live and in the ISR",
                    n,
                    imbalanced);
            return false;
        }
        if (!writing.compareAndSet(false, true)) {
            return true; // the previous check's write is still in flight: look again shortly
        }
        LOG.info(
                "Leader imbalance check {}: moving the leadership of {} of {} imbalanced partitions back to their"
                        + " preferred replicas",
                n,
                moves.size(),
                imbalanced);
        metadata.write(current -> new MetadataManager.Decision<>(decide(current, MAX_ELECTIONS_PER_CHECK), null))
                .whenComplete((v, e) -> {
                    writing.set(false);
                    if (e != null) {
                        LOG.warn("Moving leaders back to their preferred replicas failed: {}", e.toString());
                    }
                });
        return moves.size() >= MAX_ELECTIONS_PER_CHECK;
    }
}
