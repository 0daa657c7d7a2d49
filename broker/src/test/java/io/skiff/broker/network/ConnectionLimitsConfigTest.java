package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionLimitsConfigTest {
    private static BrokerConfig config(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT");
        props.put("log.dirs", "/tmp/skiff-limits-config-test");
        props.putAll(extra);
        return new BrokerConfig(props);
    }

    @Test
    void perListenerLimitsAreReadForTheListenersThatSetThem() {
        ConnectionQuotas.Limits limits = ConnectionQuotas.Limits.of(config(Map.of(
                "max.connections", "100",
                "listener.name.internal.max.connections", "2",
                "listener.name.INTERNAL.max.connection.creation.rate", "5")));
        assertThat(limits.maxConnections()).isEqualTo(100);
        assertThat(limits.maxConnectionsPerListener()).isEqualTo(Map.of("INTERNAL", 2));
        assertThat(limits.maxConnectionCreationRatePerListener()).isEqualTo(Map.of("INTERNAL", 5));
    }

    @Test
    void withoutListenerKeysNoListenerHasItsOwnLimit() {
        ConnectionQuotas.Limits limits = ConnectionQuotas.Limits.of(config(Map.of()));
        assertThat(limits.maxConnectionsPerListener()).isEmpty();
        assertThat(limits.maxConnectionCreationRatePerListener()).isEmpty();
    }

    @Test
    void aNonNumericListenerLimitStopsStartUp() {
        assertThatThrownBy(() -> config(Map.of("listener.name.internal.max.connections", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener.name.internal.max.connections");
    }
}
