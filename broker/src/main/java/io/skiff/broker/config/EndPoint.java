package io.skiff.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One listener: {@code NAME://host:port} with its security protocol. An empty host means every
 * interface. Immutable.
 */
public final class EndPoint {
    private static final Pattern URI =
            Pattern.compile("^([a-zA-Z][a-zA-Z0-9_-]*)://\\[?([0-9a-zA-Z\\-%._:]*?)]?:(-?[0-9]+)$");

    public final String listenerName;
    public final String host;
    public final int port;
    public final String securityProtocol;

    public EndPoint(String listenerName, String host, int port, String securityProtocol) {
        this.listenerName = listenerName;
        this.host = host;
        this.port = port;
        this.securityProtocol = securityProtocol;
    }

    /** Parses a comma-separated listener list, resolving each name's protocol through {@code protocolMap}. */
    public static List<EndPoint> parseList(String key, String text, Map<String, String> protocolMap) {
        List<EndPoint> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            Matcher m = URI.matcher(s);
            if (!m.matches()) {
                throw new ConfigException(key, text, "Unable to parse " + s + " to a broker endpoint");
            }
            String name = m.group(1).toUpperCase(Locale.ROOT);
            int port = Integer.parseInt(m.group(3));
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, text, "port " + port + " is out of range");
            }
            String protocol = protocolMap.get(name);
            if (protocol == null) {
                throw new ConfigException(key, text, "No security protocol defined for listener " + name);
            }
            for (EndPoint e : out) {
                if (e.listenerName.equals(name)) {
                    throw new ConfigException(
                            key, text, "Each listener must have a different name; " + name + " appears twice");
                }
            }
            out.add(new EndPoint(name, m.group(2), port, protocol));
        }
        return out;
    }

    public EndPoint withPort(int newPort) {
        return new EndPoint(listenerName, host, newPort, securityProtocol);
    }

    public EndPoint withHost(String newHost) {
        return new EndPoint(listenerName, newHost, port, securityProtocol);
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return listenerName + "://" + h + ":" + port;
    }
}
