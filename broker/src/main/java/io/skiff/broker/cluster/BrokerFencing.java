package io.skiff.broker.cluster;

import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's side of broker liveness: where this node is the Ratis leader, a registered
 * broker whose last heartbeat (of its current incarnation) is older than {@code broker.session.timeout.ms}
 * is fenced ({@link MetadataRecord.BrokerFenced}), and a fenced broker that heartbeats again is
 * unfenced (unless it is in controlled shutdown: only a new registration brings it back). A new
 * leader gives every broker a full session from when it became leader. The same
 * decision moves partition leadership and ISRs ({@link LeaderElection}): away from a fenced broker,
 * to an unfenced one where a partition had no leader. Driven by {@link BrokerLifecycle}'s timer
 * thread; one change in flight at a time.
 */
final class BrokerFencing {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerFencing.class);

    private final RatisQuorum quorum;
    private final MetadataManager metadata;
    private final long sessionTimeoutNanos;
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile long leaderSince = -1;
    /** Whether a topic allows unclean leader election. */
    private final Predicate<TopicImage> unclean;

    BrokerFencing(
            RatisQuorum quorum, MetadataManager metadata, long sessionTimeoutNanos, Predicate<TopicImage> unclean) {
        this.unclean = unclean;
        this.quorum = quorum;
        this.metadata = metadata;
        this.sessionTimeoutNanos = sessionTimeoutNanos;
    }

    void check() {
        if (!quorum.isLeader()) {
            leaderSince = -1;
            return;
        }
        long now = System.nanoTime();
        if (leaderSince < 0) {
            leaderSince = now;
        }
        if (decide(metadata.image(), now).isEmpty() || !writing.compareAndSet(false, true)) {
            return;
        }
        metadata.write(image -> new MetadataManager.Decision<>(decide(image, now), null))
                .whenComplete((v, e) -> {
                    writing.set(false);
                    if (e != null) {
                        LOG.warn("Fencing or unfencing brokers failed: {}", e.toString());
                    }
                });
    }

    /** The fencing changes {@code image} needs at {@code now}, each followed by its partition changes. */
    private List<MetadataRecord> decide(MetadataImage image, long now) {
        List<MetadataRecord> out = new ArrayList<>();
        MetadataImage next = image;
        for (MetadataRecord r : fencing(image, now)) {
            out.add(r);
            next = next.apply(r);
            List<MetadataRecord> moves = r instanceof MetadataRecord.BrokerFenced f
                    ? LeaderElection.brokerDown(next, f.nodeId(), unclean)
                    : LeaderElection.brokerUp(next, ((MetadataRecord.BrokerUnfenced) r).nodeId(), unclean);
            out.addAll(moves);
            next = LeaderElection.applied(next, moves);
        }
        return out;
    }

    private List<MetadataRecord> fencing(MetadataImage image, long now) {
        List<MetadataRecord> out = new ArrayList<>();
        for (BrokerImage b : image.brokers().values()) {
            RatisQuorum.Heartbeat hb = quorum.heartbeats().get(b.nodeId());
            boolean current =
                    hb != null && hb.incarnationId().equals(b.registration().incarnationId());
            long last = current ? Math.max(hb.nanos(), leaderSince) : leaderSince;
            boolean alive = now - last <= sessionTimeoutNanos;
            if (!b.fenced() && !alive) {
                LOG.info("Fencing broker {}: no heartbeat for {} ms", b.nodeId(), (now - last) / 1_000_000);
                out.add(new MetadataRecord.BrokerFenced(b.nodeId()));
            } else if (b.fenced() && !b.inControlledShutdown() && current && hb.nanos() > leaderSince && alive) {
                LOG.info("Unfencing broker {}: it heartbeats again", b.nodeId());
                out.add(new MetadataRecord.BrokerUnfenced(b.nodeId()));
            }
        }
        return out;
    }
}
