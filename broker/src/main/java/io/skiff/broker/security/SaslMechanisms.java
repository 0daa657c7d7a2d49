package io.skiff.broker.security;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.SecurityConfigs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SASL mechanisms one SASL listener offers ({@code sasl.enabled.mechanisms}, per listener), in
 * the order configured, and how to start an exchange of each: PLAIN with the users of
 * {@code listener.name.<listener>.plain.sasl.jaas.config} ({@code user_<name>="<password>"}),
 * SCRAM-SHA-256 and SCRAM-SHA-512 with the credentials of the metadata log. A mechanism Skiff does
 * not offer (GSSAPI), or PLAIN without users, stops start-up. Immutable and thread-safe.
 */
public final class SaslMechanisms {
    static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private final String listenerName;
    private final List<String> enabled;
    private final Map<String, byte[]> plainUsers;
    private final ScramCredentials scram;
    private final int maxReceiveBytes;

    private SaslMechanisms(
            String listenerName,
            List<String> enabled,
            Map<String, byte[]> plainUsers,
            ScramCredentials scram,
            int maxReceiveBytes) {
        this.listenerName = listenerName;
        this.enabled = enabled;
        this.plainUsers = plainUsers;
        this.scram = scram;
        this.maxReceiveBytes = maxReceiveBytes;
    }

    /**
     * The mechanisms of {@code listenerName}.
     *
     * @throws ConfigException when one cannot be offered as configured
     */
    static SaslMechanisms of(BrokerConfig config, String listenerName, ScramCredentials scram) {
        String key = SecurityConfigs.listenerKey(listenerName, SecurityConfigs.SASL_ENABLED_MECHANISMS);
        List<String> names = new ArrayList<>();
        for (String n : config.listenerList(listenerName, SecurityConfigs.SASL_ENABLED_MECHANISMS)) {
            names.add(n.trim().toUpperCase(Locale.ROOT));
        }
        if (names.isEmpty()) {
            throw new ConfigException(key, "", "a SASL listener needs at least one mechanism");
        }
        Map<String, byte[]> plain = Map.of();
        for (String name : names) {
            if (name.equals(PlainExchange.MECHANISM)) {
                plain = plainUsers(config, listenerName);
            } else if (ScramMechanism.forName(name) == null) {
                throw new ConfigException(
                        key,
                        String.join(",", names),
                        "SASL mechanism " + name + " is not offered by Skiff (PLAIN, SCRAM-SHA-256 and"
                                + " SCRAM-SHA-512 are); listener " + listenerName + " would accept no client using it");
            }
        }
        return new SaslMechanisms(listenerName, List.copyOf(names), plain, scram, (Integer)
                config.listenerValue(listenerName, SecurityConfigs.SASL_SERVER_MAX_RECEIVE_SIZE));
    }

    private static Map<String, byte[]> plainUsers(BrokerConfig config, String listenerName) {
        String key = SecurityConfigs.jaasConfigKey(listenerName, PlainExchange.MECHANISM);
        String text = config.listenerOnly(key);
        if (text == null) {
            throw new ConfigException(
                    key, null, "listener " + listenerName + " offers PLAIN, whose users are given here; set it");
        }
        JaasConfig jaas;
        try {
            jaas = JaasConfig.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, null, e.getMessage(), true);
        }
        if (!jaas.loginModule().equals(PLAIN_LOGIN_MODULE)) {
            throw new ConfigException(key, null, "PLAIN needs the login module " + PLAIN_LOGIN_MODULE, true);
        }
        Map<String, byte[]> users = new HashMap<>();
        for (Map.Entry<String, String> o : jaas.options().entrySet()) {
            if (o.getKey().startsWith("user_") && o.getKey().length() > 5) {
                users.put(o.getKey().substring(5), o.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return Collections.unmodifiableMap(users);
    }

    public String listenerName() {
        return listenerName;
    }

    /** The mechanisms offered, as SaslHandshake lists them. */
    public List<String> enabled() {
        return enabled;
    }

    /** The largest SASL token accepted ({@code sasl.server.max.receive.size}). */
    public int maxReceiveBytes() {
        return maxReceiveBytes;
    }

    /** A new exchange of {@code mechanism}, or null when this listener does not offer it. */
    public SaslExchange start(String mechanism) {
        if (mechanism == null || !enabled.contains(mechanism)) {
            return null;
        }
        if (mechanism.equals(PlainExchange.MECHANISM)) {
            return new PlainExchange(plainUsers);
        }
        return new ScramExchange(ScramMechanism.forName(mechanism), scram);
    }
}
