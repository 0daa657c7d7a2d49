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
 * The checks that span several keys and make sure a configuration asks for nothing a single
 * Skiff node cannot give: this node is its own controller and only quorum member, the
 * inter-broker listener is one of this node's, and the
 * metadata lives in the first log directory. Each failure is a {@link ConfigException} naming
 * the key, the value and what to do instead. Stateless; used once, by {@link BrokerConfig}.
 */
final class SingleNodeChecks {
    static final String PROCESS_ROLES = "process.roles";
    static final String QUORUM_VOTERS = "controller.quorum.voters";
    static final String QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    static final String METADATA_LOG_DIR = "metadata.log.dir";

    private static final Pattern VOTER = Pattern.compile("^(-?[0-9]+)@(\\[[0-9a-fA-F:.%]+]|[^:\\[\\]]+):([0-9]+)$");
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.%]+]|[^:\\[\\]]+):([0-9]+)$");
    private static final String NO_CLUSTER =
            "Skiff runs one node that is its own controller and cannot join a" + " cluster of several nodes yet";

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
        checkRoles(checked.get(PROCESS_ROLES));
        checkVoters(checked.get(QUORUM_VOTERS), config.nodeId());
        List<EndPoint> controllers = new ArrayList<>();
        List<EndPoint> brokers = new ArrayList<>();
        for (EndPoint e : all) {
            if (controllerNames.contains(e.listenerName)) {
                controllers.add(e);
            } else {
                brokers.add(e);
            }
        }
        checkBootstrapServers(checked.get(QUORUM_BOOTSTRAP_SERVERS), controllers);
        checkInterBrokerListener(checked.get(INTER_BROKER_LISTENER_NAME), brokers);
        checkMetadataDir(checked.get(METADATA_LOG_DIR), config.logDirs());
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
                    "a broker-only node would need controllers on other" + " nodes, and " + NO_CLUSTER
                            + "; use process.roles=broker,controller or remove the key");
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
