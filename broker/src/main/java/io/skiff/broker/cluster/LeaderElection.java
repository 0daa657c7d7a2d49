package io.skiff.broker.cluster;

import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's partition decisions when a broker goes or comes, as Kafka's: decided on an image,
 * written in the same metadata entry as the fencing, unfencing or registration that causes them.
 * <ul>
 *   <li>{@link #brokerDown}: the broker leaves every ISR it is in, unless it is the last member
 *       (Kafka keeps the last one, so that the partition remembers who has its data); where it led,
 *       the first live member of what remains of the ISR (in replica order) leads in the next leader
 *       epoch; with none, the partition has no leader (-1), unless unclean election is enabled for the
 *       topic, which elects the first live replica, losing what only the ISR had (logged).</li>
 *   <li>{@link #brokerUp}: a partition without leader whose ISR holds the broker gets it as leader in
 *       the next leader epoch (with unclean election, also one whose ISR is all dead). It joins other
 *       ISRs when its leader sees it caught up.</li>
 * </ul>
 * Every change bumps the partition epoch. Stateless.
 */
final class LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private LeaderElection() {}

    /** The partition changes for broker {@code nodeId} no longer serving (fenced, or restarted). */
    static List<MetadataRecord> brokerDown(MetadataImage image, int nodeId, Predicate<TopicImage> unclean) {
        List<MetadataRecord> out = new ArrayList<>();
        for (TopicImage t : image.topics()) {
            for (Map.Entry<Integer, PartitionImage> e : image.partitions(t.id()).entrySet()) {
                PartitionImage p = e.getValue();
                if (!p.isReplica(nodeId) || (!p.inIsr(nodeId) && p.leader() != nodeId)) {
                    continue;
                }
                List<Integer> isr = new ArrayList<>(p.isr());
                if (isr.size() > 1) {
                    isr.remove(Integer.valueOf(nodeId));
                }
                int leader = p.leader();
                int leaderEpoch = p.leaderEpoch();
                if (leader == nodeId) {
                    leader = firstLive(image, isr, nodeId);
                    if (leader == PartitionImage.NO_LEADER && unclean.test(t)) {
                        leader = firstLive(image, p.replicas(), nodeId);
                        if (leader != PartitionImage.NO_LEADER) {
                            LOG.warn(
                                    "Unclean leader election of {}-{}: broker {} leads without being in sync (ISR"
                                            + " {}); records only the ISR had are lost",
                                    t.name(),
                                    e.getKey(),
                                    leader,
                                    p.isr());
                            isr = List.of(leader);
                        }
                    }
                    leaderEpoch++;
                }
                if (leader != p.leader() || !isr.equals(p.isr())) {
                    out.add(new MetadataRecord.PartitionChanged(
                            t.id(), e.getKey(), isr, leader, leaderEpoch, p.partitionEpoch() + 1));
                }
            }
        }
        return out;
    }

    /** The partition changes for broker {@code nodeId} serving again (unfenced, or registered anew). */
    static List<MetadataRecord> brokerUp(MetadataImage image, int nodeId, Predicate<TopicImage> unclean) {
        List<MetadataRecord> out = new ArrayList<>();
        for (TopicImage t : image.topics()) {
            for (Map.Entry<Integer, PartitionImage> e : image.partitions(t.id()).entrySet()) {
                PartitionImage p = e.getValue();
                if (p.hasLeader() || !p.isReplica(nodeId)) {
                    continue;
                }
                List<Integer> isr = p.isr();
                if (!p.inIsr(nodeId)) {
                    if (firstLive(image, isr, -1) != PartitionImage.NO_LEADER || !unclean.test(t)) {
                        continue;
                    }
                    LOG.warn(
                            "Unclean leader election of {}-{}: broker {} leads without being in sync (ISR {});"
                                    + " records only the ISR had are lost",
                            t.name(),
                            e.getKey(),
                            nodeId,
                            isr);
                    isr = List.of(nodeId);
                }
                out.add(new MetadataRecord.PartitionChanged(
                        t.id(), e.getKey(), isr, nodeId, p.leaderEpoch() + 1, p.partitionEpoch() + 1));
            }
        }
        return out;
    }

    /**
     * The first of {@code candidates} that is registered, unfenced, not in controlled shutdown and not
     * {@code except}, or -1.
     */
    private static int firstLive(MetadataImage image, List<Integer> candidates, int except) {
        for (int c : candidates) {
            BrokerImage b = image.brokers().get(c);
            if (c != except && b != null && b.active()) {
                return c;
            }
        }
        return PartitionImage.NO_LEADER;
    }

    /** {@code image} with {@code records} applied. */
    static MetadataImage applied(MetadataImage image, List<MetadataRecord> records) {
        MetadataImage next = image;
        for (MetadataRecord r : records) {
            next = next.apply(r);
        }
        return next;
    }
}
