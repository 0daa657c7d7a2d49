package io.skiff.broker;

import io.skiff.broker.config.ConfigException;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code meta.properties} in a log directory, as Apache Kafka writes it in KRaft mode: the
 * cluster id, this node's id and the directory's id. Created on first start; afterwards the
 * node id must match and the cluster id is reused, so it is stable across restarts.
 */
public final class MetaProperties {
    public static final String FILE_NAME = "meta.properties";

    public final String clusterId;
    public final int nodeId;
    public final Uuid directoryId;

    private MetaProperties(String clusterId, int nodeId, Uuid directoryId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.directoryId = directoryId;
    }

    /** Reads the file in {@code dir}, or creates it with a new cluster id (or {@code clusterIdIfNew}). */
    public static MetaProperties loadOrCreate(Path dir, int nodeId, String clusterIdIfNew) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String cluster = p.getProperty("cluster.id");
            String node = p.getProperty("node.id");
            if (cluster == null || node == null) {
                throw new ConfigException(file + " lacks cluster.id or node.id");
            }
            if (Integer.parseInt(node.trim()) != nodeId) {
                throw new ConfigException("Stored node id " + node + " in " + file + " does not match node.id " + nodeId);
            }
            String dirId = p.getProperty("directory.id");
            return new MetaProperties(cluster.trim(), nodeId, dirId == null ? Uuid.random() : Uuid.fromString(dirId.trim()));
        }
        MetaProperties meta = new MetaProperties(clusterIdIfNew != null ? clusterIdIfNew : Uuid.random().toString(),
            nodeId, Uuid.random());
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("cluster.id", meta.clusterId);
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("directory.id", meta.directoryId.toString());
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return meta;
    }
}
