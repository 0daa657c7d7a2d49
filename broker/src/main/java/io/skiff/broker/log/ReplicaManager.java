package io.skiff.broker.log;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TopicPartition;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node leads (all of them, on a single node): keeps the storage layer's
 * partition logs in step with the metadata image. Creates logs for new topics and
 * partitions, deletes them with their topics, pushes topic config changes down, and at
 * start-up reconciles the logs found on disk with the image. Handlers look partitions up
 * here. Thread-safe: changes arrive on the metadata thread, lookups from any thread.
 */
public final class ReplicaManager implements MetadataManager.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final BrokerConfig config;
    private final LogManager logs;
    private final Consumer<TopicPartition> appendListener;

    public ReplicaManager(BrokerConfig config, LogManager logs, Consumer<TopicPartition> appendListener) {
        this.config = config;
        this.logs = logs;
        this.appendListener = appendListener;
    }

    /** The log of a partition, or null if this node has none (unknown or deleted). */
    public PartitionLog log(TopicPartition tp) {
        return logs.getLog(tp);
    }

    /** The log of {@code topic}'s partition, or null when the topic is null or has no such partition here. */
    public PartitionLog log(TopicImage topic, int partition) {
        if (topic == null || partition < 0 || partition >= topic.partitions()) {
            return null;
        }
        return logs.getLog(new TopicPartition(topic.name(), partition));
    }

    public LogManager logManager() {
        return logs;
    }

    @Override
    public void onLoad(MetadataImage image) {
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicImage t : image.topics()) {
            for (int p = 0; p < t.partitions(); p++) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                wanted.add(tp);
                ensure(t, tp);
            }
        }
        for (PartitionLog log : List.copyOf(logs.allLogs())) {
            TopicPartition tp = log.topicPartition();
            if (!wanted.contains(tp)) {
                LOG.info("Deleting the log of {}: its topic no longer exists", tp);
                delete(tp);
            }
        }
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.TopicCreated c) {
                TopicImage t = next.topic(c.topicId());
                if (t != null) {
                    for (int p = 0; p < t.partitions(); p++) {
                        ensure(t, new TopicPartition(t.name(), p));
                    }
                }
            } else if (r instanceof MetadataRecord.PartitionsAdded a) {
                TopicImage t = next.topic(a.topicId());
                for (int p = 0; t != null && p < t.partitions(); p++) {
                    ensure(t, new TopicPartition(t.name(), p));
                }
            } else if (r instanceof MetadataRecord.TopicDeleted d) {
                TopicImage t = previous.topic(d.topicId());
                for (int p = 0; t != null && p < t.partitions(); p++) {
                    delete(new TopicPartition(t.name(), p));
                }
            } else if (r instanceof MetadataRecord.TopicConfigChanged cc) {
                TopicImage t = next.topic(cc.topicId());
                if (t != null) {
                    LogConfig lc = logConfig(t);
                    for (int p = 0; p < t.partitions(); p++) {
                        PartitionLog log = logs.getLog(new TopicPartition(t.name(), p));
                        if (log != null) {
                            log.updateConfig(lc);
                        }
                    }
                }
            }
        }
    }

    private void ensure(TopicImage t, TopicPartition tp) {
        try {
            PartitionLog log = logs.getLog(tp);
            if (log == null) {
                log = logs.createLog(tp, t.id(), logConfig(t));
            }
            log.setAppendListener((appended, lastOffset) -> appendListener.accept(tp));
        } catch (IOException e) {
            LOG.error("Cannot create the log of {}", tp, e);
        }
    }

    private void delete(TopicPartition tp) {
        try {
            logs.deleteLog(tp);
        } catch (IOException e) {
            LOG.error("Cannot delete the log of {}", tp, e);
        }
    }

    /** The storage configuration of a topic: its overrides on top of the broker's defaults. */
    public LogConfig logConfig(TopicImage t) {
        return LogConfig.of(TopicConfigs.effectiveMap(t.configs(), config));
    }
}
