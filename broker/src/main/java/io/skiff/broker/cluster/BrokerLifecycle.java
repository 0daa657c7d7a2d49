package io.skiff.broker.cluster;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.QuorumConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.QuorumStatus;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's life as a broker of a replicated quorum: at start-up it registers (a
 * {@link MetadataRecord.BrokerRegistered} with a new incarnation id, its advertised listeners and
 * rack), then heartbeats to the active controller every {@code broker.heartbeat.interval.ms}; on
 * the same timer, {@link BrokerFencing} runs the controller's side where this node leads, and so does
 * {@link LeaderRebalance} every {@code leader.imbalance.check.interval.seconds}. Thread-safe;
 * its timer thread does the work.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);
    private static final long REGISTRATION_TIMEOUT_SECONDS = 60;
    private static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    private static final Map<String, Short> SECURITY_PROTOCOL_IDS =
            Map.of("PLAINTEXT", (short) 0, "SSL", (short) 1, "SASL_PLAINTEXT", (short) 2, "SASL_SSL", (short) 3);

    /** How long a controlled shutdown waits for its leaderships to move before the broker stops anyway. */
    static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 30_000;
    /** How long the broker waits, as it stops after a controlled shutdown, for its fencing to be written. */
    private static final long FENCE_ON_EXIT_TIMEOUT_MS = 5_000;

    private final int nodeId;
    private final Uuid incarnationId = Uuid.random();
    private final RatisQuorum quorum;
    private final MetadataManager metadata;
    private final Predicate<TopicImage> unclean;
    private final ScheduledExecutorService timer;
    private volatile boolean handedOff;

    private BrokerLifecycle(int nodeId, RatisQuorum quorum, MetadataManager metadata, Predicate<TopicImage> unclean) {
        this.nodeId = nodeId;
        this.quorum = quorum;
        this.metadata = metadata;
        this.unclean = unclean;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-broker-lifecycle");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers this broker (waiting for the registration to be applied here) and starts heartbeats and fencing. */
    public static BrokerLifecycle start(
            BrokerConfig config, RatisQuorum quorum, MetadataManager metadata, List<EndPoint> advertised)
            throws InterruptedException {
        return start(config, () -> config, quorum, metadata, advertised);
    }

    /**
     * As {@link #start(BrokerConfig, RatisQuorum, MetadataManager, List)}, reading the broker default
     * of {@code unclean.leader.election.enable} from {@code live} (dynamic broker configs on top) at
     * each election.
     */
    public static BrokerLifecycle start(
            BrokerConfig config,
            Supplier<BrokerConfig> live,
            RatisQuorum quorum,
            MetadataManager metadata,
            List<EndPoint> advertised)
            throws InterruptedException {
        Predicate<TopicImage> unclean = topic -> Boolean.parseBoolean(
                TopicConfigs.effectiveMap(topic.configs(), live.get()).get(UNCLEAN_LEADER_ELECTION_ENABLE));
        BrokerLifecycle lifecycle = new BrokerLifecycle(config.nodeId(), quorum, metadata, unclean);
        MetadataRecord.BrokerRegistered registration = new MetadataRecord.BrokerRegistered(
                config.nodeId(),
                lifecycle.incarnationId,
                config.getString(QuorumConfig.BROKER_RACK),
                listeners(advertised));
        try {
            metadata.write(image -> new MetadataManager.Decision<>(registration(image, registration, unclean), null))
                    .get(REGISTRATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            lifecycle.close();
            throw new IllegalStateException("broker registration failed: " + e, e);
        }
        LOG.info(
                "Registered broker {} (incarnation {}) with the metadata quorum",
                config.nodeId(),
                lifecycle.incarnationId);
        QuorumConfig q = config.quorum();
        BrokerFencing fencing =
                new BrokerFencing(quorum, metadata, TimeUnit.MILLISECONDS.toNanos(q.sessionTimeoutMs()), unclean);
        long interval = q.heartbeatIntervalMs();
        lifecycle.timer.scheduleWithFixedDelay(lifecycle::heartbeat, 0, interval, TimeUnit.MILLISECONDS);
        lifecycle.timer.scheduleWithFixedDelay(
                fencing::check, interval, Math.max(1, interval / 2), TimeUnit.MILLISECONDS);
        LeaderRebalance rebalance =
                new LeaderRebalance(quorum, metadata, config.getBoolean(BrokerConfig.AUTO_LEADER_REBALANCE_ENABLE));
        long imbalanceCheckMs =
                TimeUnit.SECONDS.toMillis(config.getLong(BrokerConfig.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS));
        lifecycle.timer.scheduleWithFixedDelay(
                () -> lifecycle.rebalance(rebalance), imbalanceCheckMs, imbalanceCheckMs, TimeUnit.MILLISECONDS);
        return lifecycle;
    }

    /**
     * The registration and its partition changes: a broker that registers anew (it restarted, maybe
     * before it was fenced) first leaves every ISR and leadership as if fenced, since its log may lack
     * what the others acknowledged meanwhile (Kafka's unclean-shutdown handling), then leads the
     * partitions that have no leader and hold it in their ISR; it rejoins the others when caught up.
     */
    static List<MetadataRecord> registration(
            MetadataImage image, MetadataRecord.BrokerRegistered registration, Predicate<TopicImage> unclean) {
        List<MetadataRecord> out = new ArrayList<>();
        out.add(registration);
        MetadataImage next = image.apply(registration);
        List<MetadataRecord> down = LeaderElection.brokerDown(next, registration.nodeId(), unclean);
        out.addAll(down);
        next = LeaderElection.applied(next, down);
        out.addAll(LeaderElection.brokerUp(next, registration.nodeId(), unclean));
        return out;
    }

    static List<MetadataRecord.BrokerRegistered.Listener> listeners(List<EndPoint> advertised) {
        List<MetadataRecord.BrokerRegistered.Listener> out = new ArrayList<>();
        for (EndPoint e : advertised) {
            Short protocol = SECURITY_PROTOCOL_IDS.get(e.securityProtocol.toUpperCase(Locale.ROOT));
            out.add(new MetadataRecord.BrokerRegistered.Listener(
                    e.listenerName, e.host, e.port, protocol == null ? 0 : protocol));
        }
        return out;
    }

    /** One leader imbalance check, and the next at once (10 ms on) while it leaves elections undone. */
    private void rebalance(LeaderRebalance rebalance) {
        try {
            if (rebalance.check() && !timer.isShutdown()) {
                timer.schedule(() -> rebalance(rebalance), 10, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            LOG.warn("Leader imbalance check failed: {}", e.toString());
        }
    }

    private void heartbeat() {
        quorum.heartbeat(nodeId, incarnationId).exceptionally(e -> {
            LOG.debug("Heartbeat of broker {} failed: {}", nodeId, e.toString());
            return null;
        });
    }

    public Uuid incarnationId() {
        return incarnationId;
    }

    /**
     * The records of this broker's controlled shutdown on {@code image}: {@link
     * MetadataRecord.BrokerControlledShutdown} unless it is so already, then (as for a fenced broker,
     * {@link LeaderElection#brokerDown}) it leaves every ISR it is in but as the last member, and each
     * partition it leads gets the first other active ISR member (or none) in the next leader epoch.
     * Nothing when the image holds another incarnation of the broker.
     */
    static List<MetadataRecord> controlledShutdown(
            MetadataImage image, int nodeId, Uuid incarnationId, Predicate<TopicImage> unclean) {
        BrokerImage me = image.brokers().get(nodeId);
        if (me == null || !me.registration().incarnationId().equals(incarnationId)) {
            return List.of();
        }
        List<MetadataRecord> out = new ArrayList<>();
        MetadataImage next = image;
        if (!me.inControlledShutdown()) {
            MetadataRecord r = new MetadataRecord.BrokerControlledShutdown(nodeId);
            out.add(r);
            next = next.apply(r);
        }
        out.addAll(LeaderElection.brokerDown(next, nodeId, unclean));
        return out;
    }

    /** The partitions of {@code image} that broker {@code nodeId} leads. */
    static int ledBy(MetadataImage image, int nodeId) {
        int n = 0;
        for (TopicImage t : image.topics()) {
            for (PartitionImage p : image.partitions(t.id()).values()) {
                if (p.leader() == nodeId) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Kafka's controlled shutdown, as this broker begins to stop ({@code controlled.shutdown.enable}):
     * writes {@link #controlledShutdown} through the metadata quorum (retried while it fails) and
     * waits until this node's image shows that it leads no partition, for {@link
     * #CONTROLLED_SHUTDOWN_TIMEOUT_MS} at most; then logs that it gives up. Skipped when no other
     * active broker could take over. Returns whether the leaderships moved.
     */
    public boolean controlledShutdown() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
        boolean others = metadata.image().brokers().values().stream().anyMatch(b -> b.nodeId() != nodeId && b.active());
        if (!others) {
            LOG.info("No controlled shutdown of broker {}: no other active broker could take its leaderships", nodeId);
            return false;
        }
        LOG.info("Controlled shutdown of broker {}: moving its leaderships to other in-sync replicas", nodeId);
        while (true) {
            MetadataImage image = metadata.image();
            BrokerImage me = image.brokers().get(nodeId);
            int led = ledBy(image, nodeId);
            if (me != null && me.inControlledShutdown() && led == 0) {
                handedOff = true;
                List<Integer> behind = awaitCommitted(image, deadline);
                LOG.info(
                        "Controlled shutdown of broker {} done in {} ms: it leads no partition{}",
                        nodeId,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        behind.isEmpty()
                                ? " and every other active broker has the change"
                                : "; brokers " + behind + " did not confirm the change in time");
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                LOG.warn(
                        "Controlled shutdown of broker {} gave up after {} ms: it still leads {} partitions;"
                                + " shutting down anyway (they move once the broker is fenced)",
                        nodeId,
                        CONTROLLED_SHUTDOWN_TIMEOUT_MS,
                        led);
                return false;
            }
            try {
                metadata.write(current -> new MetadataManager.Decision<>(
                                controlledShutdown(current, nodeId, incarnationId, unclean), null))
                        .get(remaining, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                LOG.info("Controlled shutdown of broker {}: writing it failed ({}); retrying", nodeId, e.getCause());
                Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining))));
            } catch (TimeoutException e) {
                // the next turn gives up
            }
        }
    }

    /**
     * Waits, until {@code deadline} at most, for every other active broker of {@code image} to have
     * committed the metadata this node has committed now (as the Ratis leader reports each voter's
     * commit index), as Kafka's controller lets a broker finish its controlled shutdown only once the
     * other brokers caught up with it; returns the brokers that did not in time.
     */
    private List<Integer> awaitCommitted(MetadataImage image, long deadline) throws InterruptedException {
        long target = quorum.status().highWatermark();
        List<Integer> behind = new ArrayList<>();
        while (true) {
            behind.clear();
            for (BrokerImage b : image.brokers().values()) {
                if (b.nodeId() != nodeId && b.active()) {
                    behind.add(b.nodeId());
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return behind;
            }
            try {
                QuorumStatus status = quorum.describe().get(remaining, TimeUnit.NANOSECONDS);
                for (QuorumStatus.Replica r : status.voters()) {
                    if (r.logEndOffset() >= target) {
                        behind.remove(Integer.valueOf(r.nodeId()));
                    }
                }
            } catch (ExecutionException | TimeoutException e) {
                // asked again below, until the deadline
            }
            if (behind.isEmpty()) {
                return behind;
            }
            Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    /**
     * Stops heartbeats and the controller's timers. After a controlled shutdown the broker is then
     * fenced at once, as Kafka's controller fences a broker whose controlled shutdown completed,
     * rather than after {@code broker.session.timeout.ms} (bounded; the session timeout fences it
     * otherwise).
     */
    @Override
    public void close() {
        timer.shutdownNow();
        if (!handedOff) {
            return;
        }
        try {
            metadata.write(image -> {
                        BrokerImage me = image.brokers().get(nodeId);
                        if (me == null
                                || me.fenced()
                                || !me.registration().incarnationId().equals(incarnationId)) {
                            return new MetadataManager.Decision<>(List.of(), null);
                        }
                        List<MetadataRecord> out = new ArrayList<>();
                        MetadataRecord fenced = new MetadataRecord.BrokerFenced(nodeId);
                        out.add(fenced);
                        out.addAll(LeaderElection.brokerDown(image.apply(fenced), nodeId, unclean));
                        return new MetadataManager.Decision<>(out, null);
                    })
                    .get(FENCE_ON_EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.info("Broker {} fenced as it stops after its controlled shutdown", nodeId);
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("Broker {} not fenced as it stops ({}); the session timeout fences it", nodeId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
