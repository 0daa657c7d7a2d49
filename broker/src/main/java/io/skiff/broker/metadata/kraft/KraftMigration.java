package io.skiff.broker.metadata.kraft;

import io.skiff.broker.MetaProperties;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an Apache Kafka (KRaft) log directory in place. At start-up, when the first log
 * directory holds Kafka's metadata log ({@code __cluster_metadata-0}) and Skiff's own metadata
 * log is absent or empty, {@link #importIfNeeded} replays Kafka's metadata ({@link KraftImage}),
 * converts it ({@link KraftImport}) and writes it as the first records of Skiff's metadata log,
 * all or nothing, before the metadata is opened and before any partition is looked at; Kafka's
 * files are only read, so the directory stays usable by Kafka. {@link #check} is the dry run
 * behind {@code skiff-server --check-migration}: it prints what would be imported and changes
 * nothing. Stateless; thread-safe.
 */
public final class KraftMigration {
    private static final Logger LOG = LoggerFactory.getLogger(KraftMigration.class);

    private KraftMigration() {}

    /**
     * Imports Kafka's metadata from {@code firstLogDir} into Skiff's metadata log there when Kafka's
     * log exists and Skiff's holds no record; returns what was imported, or null when nothing was.
     *
     * @throws KraftMigrationException when Kafka's metadata is unreadable or unsafe to serve
     */
    public static KraftImport importIfNeeded(Path firstLogDir, BrokerConfig config) throws IOException {
        if (!KraftMetadataLog.existsIn(firstLogDir) || MetadataManager.recordCount(firstLogDir) > 0) {
            return null;
        }
        Path kraft = KraftMetadataLog.dirOf(firstLogDir);
        LOG.info(
                "{} holds an Apache Kafka KRaft metadata log and Skiff has no metadata yet: importing it (Kafka's files "
                        + "are left as they are)",
                firstLogDir);
        KraftImport plan = KraftImport.plan(KraftImage.load(kraft), config);
        if (plan.refusal() != null) {
            throw new KraftMigrationException(
                    "Cannot open the Apache Kafka log directory " + firstLogDir + ": " + plan.refusal());
        }
        MetadataManager.initialize(firstLogDir, plan.records());
        for (String line : plan.summary()) {
            LOG.info("Kafka metadata import: {}", line);
        }
        for (String line : plan.warnings()) {
            LOG.warn("Kafka metadata import: {}", line);
        }
        return plan;
    }

    /**
     * Prints to {@code out} what {@link #importIfNeeded} would do at the next start with
     * {@code config}, reading files only. Returns the exit status: 0 when Skiff would start, 1 when
     * it would refuse to.
     */
    public static int check(BrokerConfig config, PrintStream out) {
        Path dir = Path.of(config.logDirs().get(0));
        out.println("Skiff migration check of " + dir.toAbsolutePath().normalize() + " (nothing is changed)");
        try {
            Map<String, String> meta = readMetaProperties(dir);
            if (meta == null) {
                out.println("no meta.properties: Skiff would create one (a new cluster)");
            } else {
                out.println("meta.properties: " + meta);
                String node = meta.get("node.id");
                if (node == null || meta.get("cluster.id") == null) {
                    out.println("REFUSED: meta.properties lacks cluster.id or node.id");
                    return 1;
                }
                if (Integer.parseInt(node.trim()) != config.nodeId()) {
                    out.println("REFUSED: meta.properties belongs to node " + node.trim() + " but node.id is "
                            + config.nodeId() + "; start Skiff with the node.id Kafka had");
                    return 1;
                }
            }
            if (!KraftMetadataLog.existsIn(dir)) {
                out.println("no Apache Kafka metadata log (" + KraftMetadataLog.DIR_NAME + "): nothing to import");
                return 0;
            }
            long skiffRecords = MetadataManager.recordCount(dir);
            if (skiffRecords > 0) {
                out.println("Skiff's metadata log already holds " + skiffRecords
                        + " records: Skiff uses it and imports " + "nothing");
                return 0;
            }
            KraftImport plan = KraftImport.plan(KraftImage.load(KraftMetadataLog.dirOf(dir)), config);
            print(plan, out);
            if (plan.refusal() != null) {
                out.println("REFUSED: " + plan.refusal());
                return 1;
            }
            out.println("Skiff would import this at its next start with this configuration.");
            return 0;
        } catch (IOException | RuntimeException e) {
            out.println("REFUSED: " + e.getMessage());
            return 1;
        }
    }

    private static void print(KraftImport plan, PrintStream out) {
        for (String line : plan.summary()) {
            out.println(line);
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (MetadataRecord r : plan.records()) {
            if (r instanceof MetadataRecord.TopicCreated t) {
                names.put(t.topicId().toString(), t.name());
                out.println("  topic " + t.name() + " id " + t.topicId() + ", " + t.partitions() + " partitions");
            } else if (r instanceof MetadataRecord.TopicConfigChanged c) {
                out.println("  topic config " + names.get(c.topicId().toString()) + ": " + c.key() + "=" + c.value());
            } else if (r instanceof MetadataRecord.BrokerConfigChanged c) {
                out.println("  broker config " + (c.nodeId() < 0 ? "(cluster default)" : "of node " + c.nodeId()) + ": "
                        + c.key() + "=" + c.value());
            } else if (r instanceof MetadataRecord.ProducerIdsAllocated p) {
                out.println("  next producer id " + p.nextProducerId());
            }
        }
        for (String line : plan.warnings()) {
            out.println("WARNING: " + line);
        }
    }

    /** The entries of {@code dir}/meta.properties, or null when there is none. Reads only. */
    private static Map<String, String> readMetaProperties(Path dir) throws IOException {
        Path file = dir.resolve(MetaProperties.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : List.of("version", "cluster.id", "node.id", "directory.id")) {
            if (p.getProperty(key) != null) {
                out.put(key, p.getProperty(key).trim());
            }
        }
        return out;
    }
}
