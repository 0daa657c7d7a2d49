package io.skiff.broker.partition;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.Placement;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.io.File;
import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, kept in step with the metadata image: a {@link Partition}
 * (with its storage log) for every partition with a replica here, created with its topic, removed
 * with it, given its topic's config changes. A partition whose state the image records (a
 * cluster's) is led here or followed as that state says ({@link Partition#makeLeader},
 * {@link Partition#makeFollower}), and the {@link ReplicaListener} (the replica fetchers) is told
 * which partitions to fetch from which leader; one without (every partition of a single node) is
 * led here when {@link Placement} puts it here.
 *
 * <p>Data safety: at start-up a partition directory whose topic the metadata does not know is
 * deleted only when the metadata log records that topic's deletion (its topic id); any other is
 * set aside as {@code <topic>-<partition>.<id>-stray}, untouched, and reported, so that no data
 * Skiff does not understand is ever removed and a new topic of the same name starts empty.
 *
 * <p>Thread-safe: changes arrive on the metadata thread, lookups come from any thread.
 */
public final class PartitionManager implements MetadataManager.Listener {
    /** Told, on the metadata thread, when a hosted partition starts or stops following a leader. */
    public interface ReplicaListener {
        /** {@code partition} now follows {@link Partition#leaderId()} in {@link Partition#leaderEpoch()}. */
        void onFollow(Partition partition);

        /** {@code tp} no longer follows anyone here (led here, leaderless, removed). */
        void onStopFollowing(TopicPartition tp);
    }

    private static final ReplicaListener NO_REPLICAS = new ReplicaListener() {
        @Override
        public void onFollow(Partition partition) {}

        @Override
        public void onStopFollowing(TopicPartition tp) {}
    };

    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    /** The leader epoch of a partition this node leads from its creation. */
    public static final int INITIAL_LEADER_EPOCH = 0;

    /** Read when a topic's storage configuration is computed: dynamic broker defaults count. */
    private final DynamicBrokerConfig config;

    private final Placement placement;
    private final LogManager logs;
    private final Partition.HighWatermarkListener highWatermarkListener;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Leader epochs another broker led partitions in before this node took them over (an import). */
    private volatile Map<TopicPartition, Integer> previousLeaderEpochs = Map.of();
    /** The image the partitions were last brought in step with. */
    private volatile MetadataImage image = MetadataImage.EMPTY;

    private volatile ReplicaListener replicaListener = NO_REPLICAS;
    /**
     * A cluster node before its registration of this run is applied: it leads nothing yet, since the
     * image may still name it leader from before a crash its log did not survive whole; the
     * registration's decision hands those leaderships over (or back) first.
     */
    private volatile boolean awaitingRegistration;

    private volatile Partition.LogEndListener logEndListener;

    /**
     * @param highWatermarkListener told whenever a partition's high watermark advances (wakes
     *                              parked fetches); called on the appending thread, must not block
     */
    public PartitionManager(
            BrokerConfig config, LogManager logs, Partition.HighWatermarkListener highWatermarkListener) {
        this(DynamicBrokerConfig.of(config), logs, highWatermarkListener);
    }

    /**
     * As {@link #PartitionManager(BrokerConfig, LogManager, Partition.HighWatermarkListener)}, with
     * the broker defaults of topic configs read from {@code config} as it changes: when a
     * {@code BrokerConfigChanged} record is published (after {@code config} took it), every topic's
     * logs get their configuration again.
     */
    public PartitionManager(
            DynamicBrokerConfig config, LogManager logs, Partition.HighWatermarkListener highWatermarkListener) {
        this(config, logs, highWatermarkListener, Placement.single(config.nodeId()));
    }

    /** A node of a cluster: only the partitions {@code placement} puts on this node are hosted here. */
    public PartitionManager(
            DynamicBrokerConfig config,
            LogManager logs,
            Partition.HighWatermarkListener highWatermarkListener,
            Placement placement) {
        this.config = config;
        this.logs = logs;
        this.highWatermarkListener = highWatermarkListener;
        this.placement = placement;
    }

    /** Set before the image is loaded: the replica fetchers, and who wakes parked replica fetches on appends. */
    public void setReplication(ReplicaListener replicas, Partition.LogEndListener logEnd) {
        this.replicaListener = replicas;
        this.logEndListener = logEnd;
        this.awaitingRegistration = true;
    }

    /** This node's id. */
    public int nodeId() {
        return config.nodeId();
    }

    /** The node that leads partition {@code partition} of {@code topic} (-1 while it has none). */
    public int leaderOf(TopicImage topic, int partition) {
        PartitionImage state = stateOf(topic, partition);
        return state != null ? state.leader() : placement.leaderOf(topic, partition);
    }

    /** The metadata's state of partition {@code partition} of {@code topic}, or null when it records none. */
    public PartitionImage stateOf(TopicImage topic, int partition) {
        return image.partition(topic.id(), partition);
    }

    /**
     * The error for a partition of {@code topic} that is not hosted here: NOT_LEADER_OR_FOLLOWER when
     * another node leads it or, as Kafka answers, when the image records its state (a cluster's
     * partition not hosted here yet, or not here at all), UNKNOWN_TOPIC_OR_PARTITION otherwise.
     */
    public Errors missing(TopicImage topic, int partition) {
        return topic != null
                        && partition >= 0
                        && partition < topic.partitions()
                        && (stateOf(topic, partition) != null || leaderOf(topic, partition) != config.nodeId())
                ? Errors.NOT_LEADER_OR_FOLLOWER
                : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    /**
     * Leader epochs in which another broker led partitions whose data this node now serves (an
     * Apache Kafka log directory opened in place): each such partition leads here from the epoch
     * after, so that clients which cached the old epoch are not told theirs is unknown. Call before
     * the manager loads the image.
     */
    public void takeOverFrom(Map<TopicPartition, Integer> leaderEpochs) {
        this.previousLeaderEpochs = Map.copyOf(leaderEpochs);
    }

    /** The partition {@code tp} if this node hosts it, else null. */
    public Partition partition(TopicPartition tp) {
        return partitions.get(tp);
    }

    /** The partition of {@code topic}, or null when the topic is null or has no such partition here. */
    public Partition partition(TopicImage topic, int partition) {
        if (topic == null || partition < 0 || partition >= topic.partitions()) {
            return null;
        }
        return partitions.get(new TopicPartition(topic.name(), partition));
    }

    /** Every partition hosted here. */
    public Collection<Partition> partitions() {
        return Collections.unmodifiableCollection(partitions.values());
    }

    /**
     * Makes this node the leader of {@code tp} in {@code leaderEpoch} (what leader election does; a
     * single node leads every partition from its creation and never needs it). Returns false when
     * the partition is not hosted here or already led in that epoch or a later one.
     */
    public boolean becomeLeader(TopicPartition tp, int leaderEpoch) throws IOException {
        Partition p = partitions.get(tp);
        if (p == null || (p.isLeader() && p.leaderEpoch() >= leaderEpoch)) {
            return false;
        }
        p.makeLeader(leaderEpoch);
        return true;
    }

    public LogManager logManager() {
        return logs;
    }

    @Override
    public void onLoad(MetadataImage image) {
        this.image = image;
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicImage t : image.topics()) {
            for (int p = 0; p < t.partitions(); p++) {
                wanted.add(new TopicPartition(t.name(), p));
            }
        }
        for (PartitionLog log : List.copyOf(logs.allLogs())) {
            TopicPartition tp = log.topicPartition();
            TopicImage topic = image.topic(tp.topic());
            boolean sameTopic = wanted.contains(tp)
                    && (log.topicId() == null || log.topicId().equals(topic.id()));
            if (sameTopic) {
                continue;
            }
            if (image.wasDeleted(log.topicId())) {
                LOG.info("Deleting the log of {}: its topic {} was deleted", tp, log.topicId());
                delete(tp);
            } else {
                setAside(tp, log.topicId(), topic);
            }
        }
        for (TopicImage t : image.topics()) {
            for (int p = 0; p < t.partitions(); p++) {
                ensure(t, new TopicPartition(t.name(), p));
            }
        }
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        this.image = next;
        boolean brokerDefaults = false;
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.BrokerRegistered b
                    && b.nodeId() == config.nodeId()
                    && awaitingRegistration) {
                awaitingRegistration = false;
                for (TopicImage t : next.topics()) {
                    ensureAll(t);
                }
            } else if (r instanceof MetadataRecord.PartitionCreated pc) {
                ensureOne(next.topic(pc.topicId()), pc.partition());
            } else if (r instanceof MetadataRecord.PartitionChanged pc) {
                ensureOne(next.topic(pc.topicId()), pc.partition());
            } else if (r instanceof MetadataRecord.TopicCreated c) {
                ensureAll(next.topic(c.topicId()));
            } else if (r instanceof MetadataRecord.PartitionsAdded a) {
                ensureAll(next.topic(a.topicId()));
            } else if (r instanceof MetadataRecord.TopicDeleted d) {
                TopicImage t = previous.topic(d.topicId());
                for (int p = 0; t != null && p < t.partitions(); p++) {
                    delete(new TopicPartition(t.name(), p));
                }
            } else if (r instanceof MetadataRecord.TopicConfigChanged cc) {
                TopicImage t = next.topic(cc.topicId());
                if (t != null) {
                    applyConfig(t);
                }
            } else if (r instanceof MetadataRecord.BrokerConfigChanged) {
                brokerDefaults = true;
            }
        }
        if (brokerDefaults) {
            for (TopicImage t : next.topics()) {
                applyConfig(t);
            }
        }
    }

    private void ensureOne(TopicImage t, int partition) {
        if (t != null) {
            ensure(t, new TopicPartition(t.name(), partition));
        }
    }

    private void ensureAll(TopicImage t) {
        for (int p = 0; t != null && p < t.partitions(); p++) {
            ensure(t, new TopicPartition(t.name(), p));
        }
    }

    private void applyConfig(TopicImage t) {
        LogConfig lc = logConfig(t);
        int minIsr = minInsyncReplicas(t);
        for (int p = 0; p < t.partitions(); p++) {
            Partition partition = partitions.get(new TopicPartition(t.name(), p));
            if (partition != null) {
                partition.log().updateConfig(lc);
                partition.updateMinInsyncReplicas(minIsr);
            }
        }
    }

    private void ensure(TopicImage t, TopicPartition tp) {
        PartitionImage state = image.partition(t.id(), tp.partition());
        if (state != null) {
            ensureReplica(t, tp, state);
            return;
        }
        if (partitions.containsKey(tp) || placement.leaderOf(t, tp.partition()) != config.nodeId()) {
            return;
        }
        try {
            PartitionLog log = logs.getLog(tp);
            if (log == null) {
                log = logs.createLog(tp, t.id(), logConfig(t));
            }
            // A log written under later leader epochs (another broker's data) keeps its newest epoch.
            Integer before = previousLeaderEpochs.get(tp);
            int epoch = Math.max(Math.max(INITIAL_LEADER_EPOCH, log.latestEpoch()), before == null ? 0 : before + 1);
            Partition partition =
                    new Partition(log, config.nodeId(), epoch, minInsyncReplicas(t), highWatermarkListener);
            partitions.put(tp, partition);
        } catch (IOException e) {
            LOG.error("Cannot create the log of {}", tp, e);
        }
    }

    /**
     * A partition with a recorded state: hosted here when this node is one of its replicas, led or
     * followed as the state says; the replica fetchers are told.
     */
    private void ensureReplica(TopicImage t, TopicPartition tp, PartitionImage state) {
        int self = config.nodeId();
        Partition partition = partitions.get(tp);
        int leader = state.leader() == self && awaitingRegistration ? PartitionImage.NO_LEADER : state.leader();
        if (!state.isReplica(self)) {
            if (partition != null) {
                // Not moved here by reassignment (there is none yet): the data stays, unserved.
                partitions.remove(tp);
                partition.makeFollower(PartitionImage.NO_LEADER, state.leaderEpoch(), state.replicas(), state.isr(), 0);
                replicaListener.onStopFollowing(tp);
            }
            return;
        }
        long nowMs = System.currentTimeMillis();
        try {
            if (partition == null) {
                PartitionLog log = logs.getLog(tp);
                if (log == null) {
                    log = logs.createLog(tp, t.id(), logConfig(t));
                }
                partition = new Partition(
                        log,
                        self,
                        minInsyncReplicas(t),
                        highWatermarkListener,
                        leader,
                        state.leaderEpoch(),
                        state.replicas(),
                        state.isr(),
                        state.partitionEpoch(),
                        nowMs);
                partition.setLogEndListener(logEndListener);
                partitions.put(tp, partition);
                if (leader != self && leader != PartitionImage.NO_LEADER) {
                    replicaListener.onFollow(partition);
                }
                return;
            }
            if (leader == self) {
                boolean wasFollower = !partition.isLeader();
                partition.makeLeader(state.leaderEpoch(), state.replicas(), state.isr(), state.partitionEpoch(), nowMs);
                if (wasFollower) {
                    replicaListener.onStopFollowing(tp);
                }
            } else {
                boolean changed = partition.makeFollower(
                        leader, state.leaderEpoch(), state.replicas(), state.isr(), state.partitionEpoch());
                if (changed && leader != PartitionImage.NO_LEADER) {
                    replicaListener.onFollow(partition);
                } else if (changed) {
                    replicaListener.onStopFollowing(tp);
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot host {} as the metadata says ({})", tp, state, e);
        }
    }

    private void delete(TopicPartition tp) {
        replicaListener.onStopFollowing(tp);
        Partition partition = partitions.remove(tp);
        if (partition != null) {
            partition.failWaiters(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        try {
            logs.deleteLog(tp);
        } catch (IOException e) {
            LOG.error("Cannot delete the log of {}", tp, e);
        }
    }

    private void setAside(TopicPartition tp, Uuid logTopicId, TopicImage current) {
        try {
            File moved = logs.markStray(tp);
            String why = current == null
                    ? "its topic is not in this broker's metadata"
                    : "it belongs to topic id " + logTopicId + ", not to the current topic " + current.id();
            LOG.warn(
                    "Set the log of {} aside as {}: {}. Nothing was deleted; remove or restore it by hand.",
                    tp,
                    moved,
                    why);
        } catch (IOException e) {
            LOG.error("Cannot set the log of {} aside; it stays where it is", tp, e);
        }
    }

    /** The storage configuration of a topic: its overrides on top of the broker's defaults. */
    public LogConfig logConfig(TopicImage t) {
        return LogConfig.of(TopicConfigs.effectiveMap(t.configs(), config.current()));
    }

    private int minInsyncReplicas(TopicImage t) {
        String v = TopicConfigs.effectiveMap(t.configs(), config.current()).get("min.insync.replicas");
        return v == null ? 1 : Integer.parseInt(v);
    }
}
