package io.skiff.broker.metadata.kraft;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What opening an Apache Kafka log directory in place does to Skiff's metadata: the Skiff
 * metadata records that rebuild a {@link KraftImage} (topics with the same ids and partition
 * counts, replication factor 1 on a single node; topic configs; the dynamic broker configs Skiff
 * knows; the producer-id allocation point, so that ids Kafka handed out are never handed out
 * again), a summary of what is imported and what is not, warnings, and the reason to refuse the
 * import when serving the cluster would be unsafe. Computed by {@link #plan}; immutable.
 */
public final class KraftImport {
    /** How many partition names a warning lists before it says "and N more". */
    private static final int LISTED = 20;

    private final List<MetadataRecord> records;
    private final List<String> summary;
    private final List<String> warnings;
    private final String refusal;
    private final int topics;
    private final int partitions;
    private final int topicConfigs;
    private final int brokerConfigs;
    private final Map<TopicPartition, Integer> leaderEpochs;

    private KraftImport(Builder b) {
        this.records = Collections.unmodifiableList(b.records);
        this.summary = Collections.unmodifiableList(b.summary);
        this.warnings = Collections.unmodifiableList(b.warnings);
        this.refusal = b.refusal;
        this.topics = b.topics;
        this.partitions = b.partitions;
        this.topicConfigs = b.topicConfigs;
        this.brokerConfigs = b.brokerConfigs;
        this.leaderEpochs = Collections.unmodifiableMap(b.leaderEpochs);
    }

    /**
     * The leader epoch of each imported partition in Kafka's metadata. Kafka's controlled shutdown
     * bumps it, so clients may have cached it: Skiff's partitions lead from the epoch after it (a
     * change of leader), recorded in their leader epoch checkpoints at the first start.
     */
    public Map<TopicPartition, Integer> leaderEpochs() {
        return leaderEpochs;
    }

    /** Skiff's metadata records for the image, in the order to append them. */
    public List<MetadataRecord> records() {
        return records;
    }

    /** Lines saying what is read, imported, not imported and ignored. */
    public List<String> summary() {
        return summary;
    }

    /** Things the operator should know (partitions hosted elsewhere, a torn log tail, ...). */
    public List<String> warnings() {
        return warnings;
    }

    /** Why Skiff must not serve this directory, or null when it may. */
    public String refusal() {
        return refusal;
    }

    public int topics() {
        return topics;
    }

    public int partitions() {
        return partitions;
    }

    public int topicConfigs() {
        return topicConfigs;
    }

    public int brokerConfigs() {
        return brokerConfigs;
    }

    /** The import of {@code image} into a Skiff node configured by {@code config}. */
    public static KraftImport plan(KraftImage image, BrokerConfig config) {
        Builder b = new Builder();
        int nodeId = config.nodeId();
        describeSource(image, b);
        List<String> notHere = new ArrayList<>();
        Map<String, Integer> notImported = new TreeMap<>();
        Map<String, Map<String, String>> topicConfigs = image.configs(KraftImage.TOPIC_RESOURCE);
        for (KraftImage.Topic t : image.topics()) {
            if (t.partitions.isEmpty()) {
                b.warnings.add(
                        "topic " + t.name + " (" + t.id + ") has no partitions in Kafka's metadata; not imported");
                continue;
            }
            int count = t.partitions.lastKey() + 1;
            if (count != t.partitions.size()) {
                b.warnings.add("topic " + t.name + " has partitions " + t.partitions.keySet()
                        + " in Kafka's metadata; Skiff serves partitions 0.." + (count - 1));
            }
            b.records.add(new MetadataRecord.TopicCreated(t.id, t.name, count, (short) 1));
            b.topics++;
            b.partitions += count;
            for (KraftImage.Partition p : t.partitions.values()) {
                b.leaderEpochs.put(new TopicPartition(t.name, p.id), p.leaderEpoch);
                if (!p.replicas.contains(nodeId)) {
                    notHere.add(t.name + "-" + p.id);
                }
            }
            for (Map.Entry<String, String> c :
                    topicConfigs.getOrDefault(t.name, Map.of()).entrySet()) {
                if (TopicConfigs.key(c.getKey()) == null || TopicConfigs.validate(c.getKey(), c.getValue()) != null) {
                    notImported.merge("topic config|" + c.getKey(), 1, Integer::sum);
                    continue;
                }
                b.records.add(new MetadataRecord.TopicConfigChanged(t.id, c.getKey(), c.getValue()));
                b.topicConfigs++;
            }
        }
        importBrokerConfigs(image, nodeId, b, notImported);
        if (image.nextProducerId() > 0) {
            b.records.add(new MetadataRecord.ProducerIdsAllocated(image.nextProducerId()));
        }
        countNotImported(image, notImported);
        describeOutcome(image, b, notImported);
        if (!notHere.isEmpty()) {
            b.warnings.add(notHere.size() + " partitions had no replica on node " + nodeId + " in Kafka; Skiff serves "
                    + "them from whatever this node holds (empty when nothing): " + listed(notHere));
        }
        checkOffsetsTopic(image, config, b);
        if (image.acls() > 0) {
            b.refusal =
                    "Kafka's metadata holds " + image.acls() + " ACLs: they exist only where Kafka ran an authorizer, "
                            + "and Skiff does not enforce ACLs yet, so it would serve every topic to every client. Stay on Apache "
                            + "Kafka, or remove the ACLs there (kafka-acls.sh --remove) and its authorizer first.";
        }
        return new KraftImport(b);
    }

    private static void importBrokerConfigs(KraftImage image, int nodeId, Builder b, Map<String, Integer> notImported) {
        for (Map.Entry<String, Map<String, String>> r :
                image.configs(KraftImage.BROKER_RESOURCE).entrySet()) {
            String resource = r.getKey();
            int target;
            if (resource.isEmpty()) {
                target = -1;
            } else if (resource.equals(Integer.toString(nodeId))) {
                target = nodeId;
            } else {
                notImported.merge(
                        "dynamic broker config|of node " + resource,
                        r.getValue().size(),
                        Integer::sum);
                continue;
            }
            for (Map.Entry<String, String> c : r.getValue().entrySet()) {
                if (BrokerConfig.DEF.key(c.getKey()) == null) {
                    notImported.merge("dynamic broker config|" + c.getKey(), 1, Integer::sum);
                    continue;
                }
                b.records.add(new MetadataRecord.BrokerConfigChanged(target, c.getKey(), c.getValue()));
                b.brokerConfigs++;
            }
        }
        for (byte type : image.configResourceTypes()) {
            if (type == KraftImage.TOPIC_RESOURCE || type == KraftImage.BROKER_RESOURCE) {
                continue;
            }
            int n = 0;
            for (Map<String, String> c : image.configs(type).values()) {
                n += c.size();
            }
            if (n > 0) {
                notImported.merge(resourceTypeName(type) + " config", n, Integer::sum);
            }
        }
    }

    private static void countNotImported(KraftImage image, Map<String, Integer> notImported) {
        if (image.scramCredentials() > 0) {
            notImported.put("SCRAM credential", image.scramCredentials());
        }
        if (image.clientQuotas() > 0) {
            notImported.put("client quota", image.clientQuotas());
        }
        if (image.acls() > 0) {
            notImported.put("ACL", image.acls());
        }
        if (image.delegationTokens() > 0) {
            notImported.put("delegation token", image.delegationTokens());
        }
    }

    private static void describeSource(KraftImage image, Builder b) {
        KraftMetadataLog.ReadSummary s = image.source();
        if (s == null) {
            return;
        }
        String snapshot = s.snapshot() == null
                ? "no snapshot"
                : "snapshot " + s.snapshot() + " (" + s.snapshotRecords() + " records)";
        b.summary.add("read Kafka's KRaft metadata: " + snapshot + ", then " + s.logRecords()
                + " log records up to offset " + s.nextOffset());
        if (s.tornTail() != null) {
            b.warnings.add("the metadata log ends in a torn or corrupt batch (" + s.tornTail() + "); read up to it, as "
                    + "Kafka's recovery would");
        }
    }

    private static void describeOutcome(KraftImage image, Builder b, Map<String, Integer> notImported) {
        StringBuilder imported = new StringBuilder("imported ")
                .append(plural(b.topics, "topic"))
                .append(", ")
                .append(plural(b.partitions, "partition"))
                .append(", ")
                .append(plural(b.topicConfigs, "topic config"))
                .append(", ")
                .append(plural(b.brokerConfigs, "dynamic broker config"));
        if (image.nextProducerId() > 0) {
            imported.append(", producer ids from ").append(image.nextProducerId());
        }
        b.summary.add(imported.toString());
        List<String> not = new ArrayList<>();
        for (Map.Entry<String, Integer> e : notImported.entrySet()) {
            // Keys are "noun" or "noun|detail": "2 topic configs (remote.storage.enable)".
            int bar = e.getKey().indexOf('|');
            not.add(
                    bar < 0
                            ? plural(e.getValue(), e.getKey())
                            : plural(e.getValue(), e.getKey().substring(0, bar)) + " ("
                                    + e.getKey().substring(bar + 1) + ")");
        }
        b.summary.add(
                "not imported (not supported by Skiff yet): " + (not.isEmpty() ? "nothing" : String.join(", ", not)));
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, Long> e : image.ignored().entrySet()) {
            ignored.add(e.getValue() + " " + e.getKey());
        }
        b.summary.add("ignored (Kafka's own cluster membership, of no use to a single Skiff node): "
                + (ignored.isEmpty() ? "nothing" : String.join(", ", ignored)));
        if (!image.features().isEmpty()) {
            List<String> features = new ArrayList<>();
            for (Map.Entry<String, Short> f : image.features().entrySet()) {
                features.add(f.getKey() + "=" + f.getValue());
            }
            b.summary.add("Kafka's finalized features: " + String.join(", ", features));
        }
        if (image.abortedRecords() > 0) {
            b.warnings.add(image.abortedRecords()
                    + " records of aborted or unfinished metadata transactions were dropped, " + "as Kafka drops them");
        }
    }

    private static void checkOffsetsTopic(KraftImage image, BrokerConfig config, Builder b) {
        int configured = config.getInt("offsets.topic.num.partitions");
        for (KraftImage.Topic t : image.topics()) {
            if (t.name.equals("__consumer_offsets")
                    && !t.partitions.isEmpty()
                    && t.partitions.lastKey() + 1 != configured) {
                b.warnings.add("__consumer_offsets has " + (t.partitions.lastKey() + 1) + " partitions but "
                        + "offsets.topic.num.partitions is " + configured + ": set it to "
                        + (t.partitions.lastKey() + 1)
                        + " so that each group is found in the partition Kafka wrote it to");
            }
        }
    }

    private static String resourceTypeName(byte type) {
        switch (type) {
            case 8:
                return "broker logger";
            case 16:
                return "client metrics";
            case 32:
                return "group";
            default:
                return "resource type " + type;
        }
    }

    private static String listed(List<String> names) {
        if (names.size() <= LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, LISTED)) + " and " + (names.size() - LISTED) + " more";
    }

    private static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static final class Builder {
        final Map<TopicPartition, Integer> leaderEpochs = new HashMap<>();
        final List<MetadataRecord> records = new ArrayList<>();
        final List<String> summary = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        String refusal;
        int topics;
        int partitions;
        int topicConfigs;
        int brokerConfigs;
    }
}
