package io.skiff.broker.security;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.SecurityConfigs;
import java.util.List;

/** Placeholder until SASL mechanisms are served: every SASL listener is refused. */
public final class SaslMechanisms {
    private SaslMechanisms() {}

    static SaslMechanisms of(BrokerConfig config, String listenerName, ScramCredentials scram) {
        List<String> names = config.listenerList(listenerName, SecurityConfigs.SASL_ENABLED_MECHANISMS);
        throw new ConfigException(
                SecurityConfigs.SASL_ENABLED_MECHANISMS, names, "SASL is not served yet on " + listenerName);
    }
}
