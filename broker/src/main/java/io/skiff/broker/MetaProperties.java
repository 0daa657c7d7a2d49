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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code meta.properties} in a log directory, as Apache Kafka writes it in KRaft mode: the
 * cluster id, this node's id and the directory's id. {@link #ensure} reads every log
 * directory's file first and refuses to start when one names another node id than the
 * configured one, or another cluster than the cluster metadata's (the first log directory holds
 * the metadata); only then does it write the missing files, with that cluster id (a new one on
 * a first start), so the id is stable across restarts and a directory of another cluster is
 * never written to. Immutable; the static methods are not meant to run concurrently on the same
 * directories.
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

    /**
     * Checks the files of all {@code dirs} against {@code nodeId} and against each other, then
     * creates the missing ones. Returns the first directory's (the metadata directory's).
     *
     * @throws ConfigException naming the directory, the file's id and the expected one, when a
     *     file names another node or another cluster, or cannot be parsed
     */
    public static MetaProperties ensure(List<Path> dirs, int nodeId) throws IOException {
        return ensure(dirs, nodeId, false);
    }

    /**
     * {@link #ensure(List, int)}; with {@code requireFormatted} (a node of a replicated quorum, whose
     * cluster id must be the same on every node), a node none of whose directories has the file is
     * refused: it must be formatted with the cluster's id first ({@link #format}).
     */
    public static MetaProperties ensure(List<Path> dirs, int nodeId, boolean requireFormatted) throws IOException {
        List<MetaProperties> found = new ArrayList<>();
        Path authorityDir = null;
        MetaProperties authority = null;
        for (Path dir : dirs) {
            MetaProperties m = read(dir, nodeId);
            found.add(m);
            if (m != null && authority == null) {
                authority = m;
                authorityDir = dir;
            }
        }
        for (int i = 0; i < dirs.size(); i++) {
            MetaProperties m = found.get(i);
            if (m != null && !m.clusterId.equals(authority.clusterId)) {
                throw new ConfigException(clusterMismatch(
                        dirs.get(i), m.clusterId, authorityDir, authority.clusterId, authorityDir.equals(dirs.get(0))));
            }
        }
        if (authority == null && requireFormatted) {
            throw new ConfigException("No log directory of this node (" + dirs + ") is formatted. A node of a"
                    + " quorum of several controllers needs the cluster's id: run `skiff-server format --cluster-id"
                    + " <id> <server.properties>` on every node with the same id (`skiff-server random-uuid` makes"
                    + " one), as kafka-storage.sh format does");
        }
        String clusterId =
                authority != null ? authority.clusterId : Uuid.random().toString();
        MetaProperties first = null;
        for (int i = 0; i < dirs.size(); i++) {
            MetaProperties m = found.get(i) != null ? found.get(i) : create(dirs.get(i), nodeId, clusterId);
            if (first == null) {
                first = m;
            }
        }
        return first;
    }

    /**
     * Writes {@code meta.properties} with {@code clusterId} into every directory of {@code dirs}
     * that has none, as {@code kafka-storage.sh format -t} does. A directory already formatted for
     * this cluster and node is left as it is; one of another cluster or node refuses the whole
     * format before anything is written. Returns the number of directories formatted.
     */
    public static int format(List<Path> dirs, int nodeId, String clusterId) throws IOException {
        if (clusterId == null || clusterId.isBlank()) {
            throw new ConfigException("format needs a cluster id (--cluster-id <id>)");
        }
        try {
            Uuid.fromString(clusterId.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Cluster id " + clusterId.trim() + " is not a valid id; make one with"
                    + " `skiff-server random-uuid`");
        }
        List<MetaProperties> found = new ArrayList<>();
        for (Path dir : dirs) {
            MetaProperties m = read(dir, nodeId);
            if (m != null && !m.clusterId.equals(clusterId.trim())) {
                throw new ConfigException("Log directory " + dir + " is already formatted for cluster " + m.clusterId
                        + "; a directory is never formatted for another cluster. Empty it first if its data is not"
                        + " wanted");
            }
            found.add(m);
        }
        int formatted = 0;
        for (int i = 0; i < dirs.size(); i++) {
            if (found.get(i) == null) {
                create(dirs.get(i), nodeId, clusterId.trim());
                formatted++;
            }
        }
        return formatted;
    }

    /**
     * The file in {@code dir}, or null when there is none.
     *
     * @throws ConfigException when it cannot be parsed or names another node than {@code nodeId}
     */
    static MetaProperties read(Path dir, int nodeId) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String cluster = p.getProperty("cluster.id");
        String node = p.getProperty("node.id");
        if (cluster == null || cluster.isBlank() || node == null) {
            throw new ConfigException(file + " lacks cluster.id or node.id; it was not written by Apache Kafka or"
                    + " Skiff, or is damaged. Start with an empty log directory, or restore the file");
        }
        int stored;
        try {
            stored = Integer.parseInt(node.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(file + " has node.id=" + node.trim() + ", which is not a number");
        }
        if (stored != nodeId) {
            throw new ConfigException("Log directory " + dir + " belongs to node " + stored + " (node.id in " + file
                    + "), but node.id is " + nodeId + ". If the data was moved from node " + stored + ", set node.id="
                    + stored + "; for a new node, use empty log directories");
        }
        String dirId = p.getProperty("directory.id");
        Uuid directoryId;
        try {
            directoryId = dirId == null ? Uuid.random() : Uuid.fromString(dirId.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + " has directory.id=" + dirId.trim() + ", which is not a valid id");
        }
        return new MetaProperties(cluster.trim(), nodeId, directoryId);
    }

    private static String clusterMismatch(
            Path dir, String id, Path authorityDir, String authorityId, boolean metadataDir) {
        String whose = metadataDir
                ? "the cluster metadata (in " + authorityDir + ", the first log directory)"
                : "log directory " + authorityDir;
        return "Log directory " + dir + " belongs to cluster " + id + " (cluster.id in " + dir.resolve(FILE_NAME)
                + "), but " + whose + " belongs to cluster " + authorityId + ". A directory of another cluster is"
                + " never opened: remove it from log.dirs, or empty it if its data is not wanted";
    }

    private static MetaProperties create(Path dir, int nodeId, String clusterId) throws IOException {
        Files.createDirectories(dir);
        MetaProperties meta = new MetaProperties(clusterId, nodeId, Uuid.random());
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("cluster.id", meta.clusterId);
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("directory.id", meta.directoryId.toString());
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return meta;
    }
}
