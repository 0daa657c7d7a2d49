package io.skiff.broker.cluster;

import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Elections an ElectLeaders request asks for, decided on an image as Kafka's controller does:
 * <ul>
 *   <li>PREFERRED: the first replica leads in the next leader epoch when it is live (registered,
 *       unfenced) and in the ISR; ELECTION_NOT_NEEDED when it already leads; where it cannot, a
 *       partition without leader gets the first live ISR member, and otherwise
 *       PREFERRED_LEADER_NOT_AVAILABLE.</li>
 *   <li>UNCLEAN: only for a partition without leader (else ELECTION_NOT_NEEDED): the first live ISR
 *       member, or else the first live replica with an ISR of just itself; ELIGIBLE_LEADERS_NOT_AVAILABLE
 *       when no replica is live.</li>
 * </ul>
 * A topic without partition states (a single node) has its only replica as leader: ELECTION_NOT_NEEDED.
 * Stateless.
 */
public final class RequestedElection {
    public static final byte PREFERRED = 0;
    public static final byte UNCLEAN = 1;

    private RequestedElection() {}

    /** One partition's outcome. */
    public record Result(String topic, int partition, Errors error) {}

    /** The records to write and each partition's outcome. */
    public record Outcome(List<MetadataRecord> records, List<Result> results) {}

    /**
     * Decides the elections of {@code type} for {@code requested} (topic to partitions, in request
     * order), or for every partition when it is null; then partitions that need none are left out.
     */
    public static Outcome decide(MetadataImage image, byte type, Map<String, List<Integer>> requested) {
        List<MetadataRecord> records = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        boolean all = requested == null;
        Map<String, List<Integer>> targets = requested;
        if (all) {
            targets = new LinkedHashMap<>();
            for (TopicImage t : image.topics()) {
                List<Integer> ps = new ArrayList<>();
                for (int p = 0; p < t.partitions(); p++) {
                    ps.add(p);
                }
                targets.put(t.name(), ps);
            }
        }
        for (Map.Entry<String, List<Integer>> e : targets.entrySet()) {
            for (int partition : e.getValue()) {
                Errors error = elect(image, type, e.getKey(), partition, records);
                if (!all || error != Errors.ELECTION_NOT_NEEDED) {
                    results.add(new Result(e.getKey(), partition, error));
                }
            }
        }
        return new Outcome(records, results);
    }

    private static Errors elect(
            MetadataImage image, byte type, String topic, int partition, List<MetadataRecord> records) {
        TopicImage t = image.topic(topic);
        if (t == null || partition < 0 || partition >= t.partitions()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        PartitionImage p = image.partition(t.id(), partition);
        if (p == null) {
            return Errors.ELECTION_NOT_NEEDED;
        }
        int preferred = p.replicas().get(0);
        if ((type == UNCLEAN && p.hasLeader()) || (type != UNCLEAN && p.leader() == preferred)) {
            return Errors.ELECTION_NOT_NEEDED;
        }
        int leader = PartitionImage.NO_LEADER;
        List<Integer> isr = p.isr();
        if (type != UNCLEAN) {
            if (live(image, preferred) && p.inIsr(preferred)) {
                leader = preferred;
            } else if (!p.hasLeader()) {
                leader = firstLive(image, p.isr());
            }
            if (leader == PartitionImage.NO_LEADER) {
                return Errors.PREFERRED_LEADER_NOT_AVAILABLE;
            }
        } else {
            leader = firstLive(image, p.isr());
            if (leader == PartitionImage.NO_LEADER) {
                leader = firstLive(image, p.replicas());
                isr = List.of(leader);
            }
            if (leader == PartitionImage.NO_LEADER) {
                return Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE;
            }
        }
        records.add(new MetadataRecord.PartitionChanged(
                t.id(), partition, isr, leader, p.leaderEpoch() + 1, p.partitionEpoch() + 1));
        return Errors.NONE;
    }

    private static boolean live(MetadataImage image, int nodeId) {
        BrokerImage b = image.brokers().get(nodeId);
        return b != null && b.active();
    }

    private static int firstLive(MetadataImage image, List<Integer> candidates) {
        for (int c : candidates) {
            if (live(image, c)) {
                return c;
            }
        }
        return PartitionImage.NO_LEADER;
    }
}
