package io.skiff.broker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metadata quorum this node belongs to, from Kafka's keys: {@code process.roles},
 * {@code controller.quorum.voters}, {@code controller.quorum.bootstrap.servers}, the CONTROLLER
 * listener of {@code listeners} named by {@code controller.listener.names},
 * {@code metadata.log.dir}, {@code broker.heartbeat.interval.ms} and
 * {@code broker.session.timeout.ms}. A node is <em>replicated</em> when the voters name more than
 * one node: its metadata is then replicated by Apache Ratis among the voters; otherwise it is its
 * own quorum and keeps its metadata in a local file, as a single node always did. Immutable.
 */
public final class QuorumConfig {
    public static final String PROCESS_ROLES = "process.roles";
    public static final String QUORUM_VOTERS = "controller.quorum.voters";
    public static final String QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String BROKER_RACK = "broker.rack";

    private static final Pattern VOTER = Pattern.compile("^(-?[0-9]+)@(\\[[0-9a-fA-F:.%]+]|[^:\\[\\]]+):([0-9]+)$");

    /** One entry of {@code controller.quorum.voters}. */
    public record Voter(int nodeId, String host, int port) {
        /** {@code host:port}, with brackets around an IPv6 host. */
        public String address() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final int nodeId;
    private final List<Voter> voters;
    private final Path metadataDir;
    private final long heartbeatIntervalMs;
    private final long sessionTimeoutMs;

    QuorumConfig(int nodeId, List<Voter> voters, Path metadataDir, long heartbeatIntervalMs, long sessionTimeoutMs) {
        this.nodeId = nodeId;
        this.voters = List.copyOf(voters);
        this.metadataDir = metadataDir;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** Parses {@code controller.quorum.voters}; empty when unset. */
    static List<Voter> parseVoters(String text) {
        List<Voter> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Set<Integer> ids = new HashSet<>();
        for (String entry : text.trim().split("\\s*,\\s*")) {
            Matcher m = VOTER.matcher(entry);
            if (!m.matches()) {
                throw new ConfigException(QUORUM_VOTERS, text, "expected id@host:port entries, got '" + entry + "'");
            }
            int id;
            int port;
            try {
                id = Integer.parseInt(m.group(1));
                port = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new ConfigException(QUORUM_VOTERS, text, "'" + entry + "' has a number out of range");
            }
            if (id < 0 || port < 1 || port > 65535) {
                throw new ConfigException(
                        QUORUM_VOTERS, text, "'" + entry + "' needs a node id >= 0 and a port 1-65535");
            }
            if (!ids.add(id)) {
                throw new ConfigException(QUORUM_VOTERS, text, "names node " + id + " twice");
            }
            String host = m.group(2).replace("[", "").replace("]", "");
            out.add(new Voter(id, host, port));
        }
        return out;
    }

    /** Whether the metadata is replicated among several voters (Apache Ratis) rather than a local file. */
    public boolean replicated() {
        return voters.size() > 1;
    }

    public int nodeId() {
        return nodeId;
    }

    /** The voters, in the order configured; empty when unset. */
    public List<Voter> voters() {
        return voters;
    }

    /** This node's entry of the voters, or null. */
    public Voter self() {
        for (Voter v : voters) {
            if (v.nodeId() == nodeId) {
                return v;
            }
        }
        return null;
    }

    /** Where the replicated metadata (the Ratis log and snapshots) lives. */
    public Path metadataDir() {
        return metadataDir;
    }

    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public long sessionTimeoutMs() {
        return sessionTimeoutMs;
    }
}
