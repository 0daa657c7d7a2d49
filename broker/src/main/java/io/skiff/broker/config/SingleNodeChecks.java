package io.skiff.broker.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks that span several keys and make sure a configuration asks for nothing Skiff cannot
 * give: every node is both broker and controller; a node that is its own quorum (at most one voter)
 * names only itself and keeps the metadata in the first log directory; a node of a replicated
 * quorum (several voters) is one of the voters and binds its voter port as a controller listener;
 * the inter-broker listener is one of this node's. Each failure is a {@link ConfigException} naming
 * the key, the value and what to do instead. Stateless; used once, by {@link BrokerConfig}.
 */
final class SingleNodeChecks {
    static final String PROCESS_ROLES = QuorumConfig.PROCESS_ROLES;
    static final String QUORUM_VOTERS = QuorumConfig.QUORUM_VOTERS;
    static final String QUORUM_BOOTSTRAP_SERVERS = QuorumConfig.QUORUM_BOOTSTRAP_SERVERS;
    static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";
    static final String METADATA_LOG_DIR = QuorumConfig.METADATA_LOG_DIR;

    private static final Pattern VOTER = Pattern.compile("^(-?[0-9]+)@(\\[[0-9a-fA-F:.%]+]|[^:\\[\\]]+):([0-9]+)$");
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.%]+]|[^:\\[\\]]+):([0-9]+)$");
    private static final String NO_CLUSTER =
            "a node whose controller.quorum.voters names at most one node is its own" + " single-node quorum";

    private SingleNodeChecks() {}

    /**
     * Runs every check.
     *
     * @param checked the values of the {@link ConfigPolicy.Treatment#CHECKED} keys that were set
     * @param all every listener of {@code listeners}, controller listeners included
     * @param controllerNames the listener names of {@code controller.listener.names}
     */
    static void check(
            BrokerConfig config, Map<String, String> checked, List<EndPoint> all, Set<String> controllerNames) {
        checkRoles(config.getString(PROCESS_ROLES));
        List<EndPoint> controllers = new ArrayList<>();
        List<EndPoint> brokers = new ArrayList<>();
        for (EndPoint e : all) {
            if (controllerNames.contains(e.listenerName)) {
                controllers.add(e);
            } else {
                brokers.add(e);
            }
        }
        String voters = config.getString(QUORUM_VOTERS);
        List<QuorumConfig.Voter> parsed = QuorumConfig.parseVoters(voters);
        checkInterBrokerListener(checked.get(INTER_BROKER_LISTENER_NAME), brokers);
        if (parsed.size() > 1) {
            checkReplicated(voters, parsed, config.nodeId(), controllers);
            checkReplicaListener(checked, brokers);
            checkBootstrapSyntax(config.getString(QUORUM_BOOTSTRAP_SERVERS));
            return;
        }
        checkVoters(voters, config.nodeId());
        checkBootstrapServers(config.getString(QUORUM_BOOTSTRAP_SERVERS), controllers);
        checkMetadataDir(config.getString(METADATA_LOG_DIR), config.logDirs());
    }

    /** A node of a replicated quorum: one of the voters, its voter port a controller listener of its own. */
    static void checkReplicated(
            String voters, List<QuorumConfig.Voter> parsed, int nodeId, List<EndPoint> controllerListeners) {
        QuorumConfig.Voter self = null;
        for (QuorumConfig.Voter v : parsed) {
            if (v.nodeId() == nodeId) {
                self = v;
            }
        }
        if (self == null) {
            throw new ConfigException(
                    QUORUM_VOTERS,
                    voters,
                    "does not name this node (node.id=" + nodeId + "); every Skiff node is a controller, so name it"
                            + " among the voters");
        }
        if (!isThisNode(self.host(), self.port(), controllerListeners)) {
            throw new ConfigException(
                    QUORUM_VOTERS,
                    voters,
                    "gives this node the address " + self.address() + ", which is no controller listener of this"
                            + " node; add a listener such as CONTROLLER://" + self.address() + " to listeners and"
                            + " name it in controller.listener.names");
        }
    }

    /** {@code controller.quorum.bootstrap.servers} of a replicated quorum: host:port entries (the voters form the group). */
    static void checkBootstrapSyntax(String servers) {
        if (servers == null || servers.isBlank()) {
            return;
        }
        for (String entry : servers.trim().split("\\s*,\\s*")) {
            if (!HOST_PORT.matcher(entry).matches()) {
                throw new ConfigException(QUORUM_BOOTSTRAP_SERVERS, servers, "expected host:port, got '" + entry + "'");
            }
        }
    }

    static void checkRoles(String roles) {
        if (roles == null || roles.isBlank()) {
            return;
        }
        boolean broker = false;
        boolean controller = false;
        for (String part : roles.split(",")) {
            String role = part.trim().toLowerCase(Locale.ROOT);
            if (role.equals("broker")) {
                broker = true;
            } else if (role.equals("controller")) {
                controller = true;
            } else {
                throw new ConfigException(
                        PROCESS_ROLES,
                        roles,
                        "unknown role '" + part.trim() + "' (the roles are broker and controller)");
            }
        }
        if (!broker) {
            throw new ConfigException(
                    PROCESS_ROLES,
                    roles,
                    "Skiff always serves clients, so a controller-only node"
                            + " is not supported; use process.roles=broker,controller or remove the key");
        }
        if (!controller) {
            throw new ConfigException(
                    PROCESS_ROLES,
                    roles,
                    "every Skiff node is a controller as well as a broker (broker-only nodes are not supported"
                            + " yet); use process.roles=broker,controller or remove the key");
        }
    }

    static void checkVoters(String voters, int nodeId) {
        if (voters == null || voters.isBlank()) {
            return;
        }
        String[] entries = voters.trim().split("\\s*,\\s*");
        for (String entry : entries) {
            Matcher m = VOTER.matcher(entry);
            if (!m.matches()) {
                throw new ConfigException(QUORUM_VOTERS, voters, "expected id@host:port entries, got '" + entry + "'");
            }
            long id = Long.parseLong(m.group(1));
            if (id != nodeId) {
                throw new ConfigException(
                        QUORUM_VOTERS,
                        voters,
                        "names node " + id + ", but this is node " + nodeId + ": " + NO_CLUSTER + "; use " + nodeId
                                + "@host:port or remove the key");
            }
        }
        if (entries.length > 1) {
            throw new ConfigException(
                    QUORUM_VOTERS,
                    voters,
                    "names this node " + entries.length + " times; name it" + " once or remove the key");
        }
    }

    static void checkBootstrapServers(String servers, List<EndPoint> controllerListeners) {
        if (servers == null || servers.isBlank()) {
            return;
        }
        String[] entries = servers.trim().split("\\s*,\\s*");
        if (entries.length > 1) {
            throw new ConfigException(
                    QUORUM_BOOTSTRAP_SERVERS,
                    servers,
                    "names " + entries.length + " servers, but " + NO_CLUSTER
                            + "; name this node's controller listener alone or remove the key");
        }
        Matcher m = HOST_PORT.matcher(entries[0]);
        if (!m.matches()) {
            throw new ConfigException(
                    QUORUM_BOOTSTRAP_SERVERS, servers, "expected host:port, got '" + entries[0] + "'");
        }
        String host = m.group(1).replace("[", "").replace("]", "");
        int port = Integer.parseInt(m.group(2));
        if (!isThisNode(host, port, controllerListeners)) {
            throw new ConfigException(
                    QUORUM_BOOTSTRAP_SERVERS,
                    servers,
                    "is not the address of a controller listener"
                            + " of this node (listeners named in controller.listener.names), and " + NO_CLUSTER
                            + "; point it at this node's controller listener or remove the key");
        }
    }

    static void checkInterBrokerListener(String name, List<EndPoint> brokerListeners) {
        if (name == null || name.isBlank()) {
            return;
        }
        for (EndPoint e : brokerListeners) {
            if (e.listenerName.equals(name.trim().toUpperCase(Locale.ROOT))) {
                return;
            }
        }
        throw new ConfigException(
                INTER_BROKER_LISTENER_NAME,
                name,
                "names none of this node's broker listeners;" + " name one of them or remove the key");
    }

    /**
     * The listener other brokers' replica fetchers connect to, as Kafka picks it:
     * {@code inter.broker.listener.name}, else the listener named after
     * {@code security.inter.broker.protocol} (PLAINTEXT by default).
     */
    static String interBrokerListener(Map<String, String> checked) {
        String name = checked.get(INTER_BROKER_LISTENER_NAME);
        if (name == null || name.isBlank()) {
            name = checked.get(SECURITY_INTER_BROKER_PROTOCOL);
        }
        return name == null || name.isBlank() ? "PLAINTEXT" : name.trim().toUpperCase(Locale.ROOT);
    }

    /**
     * A cluster node's inter-broker listener: one of its broker listeners, and PLAINTEXT, the only
     * protocol Skiff's replica fetchers speak yet (a TLS or SASL one would leave partitions
     * unreplicated, so it stops start-up).
     */
    static void checkReplicaListener(Map<String, String> checked, List<EndPoint> brokerListeners) {
        String name = interBrokerListener(checked);
        String key = checked.containsKey(INTER_BROKER_LISTENER_NAME)
                ? INTER_BROKER_LISTENER_NAME
                : SECURITY_INTER_BROKER_PROTOCOL;
        for (EndPoint e : brokerListeners) {
            if (e.listenerName.equals(name)) {
                if (!"PLAINTEXT".equalsIgnoreCase(e.securityProtocol)) {
                    throw new ConfigException(
                            key,
                            name,
                            "the inter-broker listener " + name + " uses " + e.securityProtocol + ", but Skiff's"
                                    + " replica fetchers connect over PLAINTEXT only for now, so partitions could not"
                                    + " replicate; name a PLAINTEXT listener as inter.broker.listener.name");
                }
                return;
            }
        }
        throw new ConfigException(
                key,
                name,
                "names none of this node's broker listeners, which other brokers' replica fetchers connect to;"
                        + " add a PLAINTEXT listener of that name or name one as inter.broker.listener.name");
    }

    static void checkMetadataDir(String dir, List<String> logDirs) {
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path first = Path.of(logDirs.get(0)).toAbsolutePath().normalize();
        if (!Path.of(dir.trim()).toAbsolutePath().normalize().equals(first)) {
            throw new ConfigException(
                    METADATA_LOG_DIR,
                    dir,
                    "Skiff keeps the cluster metadata in the first log"
                            + " directory, " + first
                            + ", so metadata in another directory would never be read; remove the key or"
                            + " set it to " + first);
        }
    }

    /** Whether {@code host:port} reaches one of {@code listeners} of this machine. */
    static boolean isThisNode(String host, int port, List<EndPoint> listeners) {
        for (EndPoint e : listeners) {
            if (e.port != port) {
                continue;
            }
            if (e.host.equalsIgnoreCase(host)) {
                return true;
            }
            boolean wildcard = e.host.isEmpty() || e.host.equals("0.0.0.0") || e.host.equals("::");
            if (wildcard ? isLocal(host) : sameAddress(host, e.host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLocal(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    private static boolean sameAddress(String a, String b) {
        try {
            Set<InetAddress> mine = new HashSet<>(Arrays.asList(InetAddress.getAllByName(b)));
            for (InetAddress x : InetAddress.getAllByName(a)) {
                if (mine.contains(x)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
