package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client quotas managed with Kafka's own tools: {@code kafka-configs.sh} ({@code ConfigCommand})
 * for users, client ids and IPs, and the AdminClient's describeClientQuotas / alterClientQuotas
 * with every match type, strict filters, validate-only and removals; bad input gets Kafka's
 * errors and changes nothing. Runs against Apache Kafka too ({@code -Dskiff.compat.reference}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClientQuotasCompatTest {
    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Clients.admin(BROKER);
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    private static KafkaTool.Result configs(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = BROKER.bootstrapServers();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTool.run(CONFIG_COMMAND, all);
    }

    private static ClientQuotaEntity entity(String... typeAndName) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < typeAndName.length; i += 2) {
            m.put(typeAndName[i], typeAndName[i + 1]);
        }
        return new ClientQuotaEntity(m);
    }

    private static Map<String, Double> quotasOf(ClientQuotaEntity e) throws Exception {
        List<ClientQuotaFilterComponent> components = e.entries().entrySet().stream()
                .map(x -> x.getValue() == null
                        ? ClientQuotaFilterComponent.ofDefaultEntity(x.getKey())
                        : ClientQuotaFilterComponent.ofEntity(x.getKey(), x.getValue()))
                .toList();
        Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(
                        ClientQuotaFilter.containsOnly(components))
                .entities()
                .get(30, TimeUnit.SECONDS);
        return all.getOrDefault(e, Map.of());
    }

    private static void alter(ClientQuotaEntity e, String key, Double value) throws Exception {
        admin.alterClientQuotas(
                        List.of(new ClientQuotaAlteration(e, List.of(new ClientQuotaAlteration.Op(key, value)))))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void kafkaConfigsSetsDescribesAndDeletesUserQuotas() throws Exception {
        KafkaTool.Result set = configs(
                "--alter",
                "--entity-type",
                "users",
                "--entity-name",
                "alice",
                "--add-config",
                "producer_byte_rate=1024,consumer_byte_rate=2048");
        assertThat(set.exitCode()).as(set.output()).isZero();
        assertThat(set.output()).contains("Completed updating config for user alice.");
        KafkaTool.Result described = configs("--describe", "--entity-type", "users", "--entity-name", "alice");
        assertThat(described.exitCode()).as(described.output()).isZero();
        assertThat(described.output())
                .contains("Quota configs for user-principal 'alice' are ")
                .contains("producer_byte_rate=1024.0")
                .contains("consumer_byte_rate=2048.0")
                .doesNotContain("Error");
        KafkaTool.Result deleted = configs(
                "--alter", "--entity-type", "users", "--entity-name", "alice", "--delete-config", "producer_byte_rate");
        assertThat(deleted.exitCode()).as(deleted.output()).isZero();
        assertThat(quotasOf(entity("user", "alice"))).isEqualTo(Map.of("consumer_byte_rate", 2048.0));
        configs("--alter", "--entity-type", "users", "--entity-name", "alice", "--delete-config", "consumer_byte_rate");
        assertThat(quotasOf(entity("user", "alice"))).isEmpty();
    }

    @Test
    void kafkaConfigsHandlesClientIdsDefaultsAndUserClientPairs() throws Exception {
        assertThat(configs(
                                "--alter",
                                "--entity-type",
                                "clients",
                                "--entity-default",
                                "--add-config",
                                "request_percentage=25.5")
                        .exitCode())
                .isZero();
        assertThat(configs(
                                "--alter",
                                "--entity-type",
                                "users",
                                "--entity-name",
                                "bob",
                                "--entity-type",
                                "clients",
                                "--entity-name",
                                "app",
                                "--add-config",
                                "producer_byte_rate=4096")
                        .exitCode())
                .isZero();
        KafkaTool.Result defaults = configs("--describe", "--entity-type", "clients", "--entity-default");
        assertThat(defaults.output()).contains("Quota configs for the default client-id are request_percentage=25.5");
        KafkaTool.Result pair = configs(
                "--describe",
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--entity-type",
                "clients",
                "--entity-name",
                "app");
        assertThat(pair.output())
                .contains("Quota configs for user-principal 'bob', client-id 'app' are producer_byte_rate=4096.0");
        assertThat(quotasOf(entity("client-id", null))).isEqualTo(Map.of("request_percentage", 25.5));
        alter(entity("client-id", null), "request_percentage", null);
        alter(entity("user", "bob", "client-id", "app"), "producer_byte_rate", null);
    }

    @Test
    void kafkaConfigsSetsAndDescribesIpConnectionRates() throws Exception {
        KafkaTool.Result set = configs(
                "--alter",
                "--entity-type",
                "ips",
                "--entity-name",
                "10.1.2.3",
                "--add-config",
                "connection_creation_rate=7");
        assertThat(set.exitCode()).as(set.output()).isZero();
        KafkaTool.Result described = configs("--describe", "--entity-type", "ips", "--entity-name", "10.1.2.3");
        assertThat(described.output()).contains("Quota configs for ip '10.1.2.3' are connection_creation_rate=7.0");
        alter(entity("ip", "10.1.2.3"), "connection_creation_rate", null);
        assertThat(quotasOf(entity("ip", "10.1.2.3"))).isEmpty();
    }

    @Test
    void describeFiltersByExactDefaultAndSpecifiedMatchesStrictOrNot() throws Exception {
        alter(entity("user", "carol"), "producer_byte_rate", 100.0);
        alter(entity("user", "carol", "client-id", "c1"), "producer_byte_rate", 200.0);
        alter(entity("user", null), "producer_byte_rate", 300.0);
        try {
            Map<ClientQuotaEntity, Map<String, Double>> carol = admin.describeClientQuotas(
                            ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity("user", "carol"))))
                    .entities()
                    .get(30, TimeUnit.SECONDS);
            assertThat(carol).containsOnlyKeys(entity("user", "carol"), entity("user", "carol", "client-id", "c1"));
            Map<ClientQuotaEntity, Map<String, Double>> strict = admin.describeClientQuotas(
                            ClientQuotaFilter.containsOnly(
                                    List.of(ClientQuotaFilterComponent.ofEntity("user", "carol"))))
                    .entities()
                    .get(30, TimeUnit.SECONDS);
            assertThat(strict).containsOnlyKeys(entity("user", "carol"));
            Map<ClientQuotaEntity, Map<String, Double>> defaults = admin.describeClientQuotas(
                            ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofDefaultEntity("user"))))
                    .entities()
                    .get(30, TimeUnit.SECONDS);
            assertThat(defaults).isEqualTo(Map.of(entity("user", null), Map.of("producer_byte_rate", 300.0)));
            Map<ClientQuotaEntity, Map<String, Double>> anyUserWithClient = admin.describeClientQuotas(
                            ClientQuotaFilter.containsOnly(List.of(
                                    ClientQuotaFilterComponent.ofEntityType("user"),
                                    ClientQuotaFilterComponent.ofEntityType("client-id"))))
                    .entities()
                    .get(30, TimeUnit.SECONDS);
            assertThat(anyUserWithClient).containsOnlyKeys(entity("user", "carol", "client-id", "c1"));
        } finally {
            alter(entity("user", "carol"), "producer_byte_rate", null);
            alter(entity("user", "carol", "client-id", "c1"), "producer_byte_rate", null);
            alter(entity("user", null), "producer_byte_rate", null);
        }
    }

    @Test
    void validateOnlyChecksButChangesNothing() throws Exception {
        admin.alterClientQuotas(
                        List.of(new ClientQuotaAlteration(
                                entity("client-id", "dry"),
                                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 10.0)))),
                        new AlterClientQuotasOptions().validateOnly(true))
                .all()
                .get(30, TimeUnit.SECONDS);
        assertThat(quotasOf(entity("client-id", "dry"))).isEmpty();
        assertThatThrownBy(() -> admin.alterClientQuotas(
                                List.of(new ClientQuotaAlteration(
                                        entity("client-id", "dry"),
                                        List.of(new ClientQuotaAlteration.Op("producer_byte_rate", -1.0)))),
                                new AlterClientQuotasOptions().validateOnly(true))
                        .all()
                        .get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(InvalidRequestException.class);
    }

    @Test
    void badValuesKeysAndEntityTypesGetKafkasErrorsAndChangeNothing() throws Exception {
        ClientQuotaEntity app = entity("client-id", "bad-input");
        assertRefused(app, "producer_byte_rate", -5.0, "Quota producer_byte_rate must be greater than 0");
        assertRefused(app, "producer_byte_rate", 1.5, "producer_byte_rate cannot be a fractional value.");
        assertRefused(app, "no_such_quota", 5.0, "Invalid configuration key no_such_quota");
        assertRefused(entity("group", "g"), "producer_byte_rate", 5.0, "Unhandled client quota entity type: group");
        assertRefused(
                entity("ip", "10.0.0.1", "user", "u"),
                "connection_creation_rate",
                5.0,
                "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId");
        assertThat(quotasOf(app)).isEmpty();
        assertThatThrownBy(() -> admin.describeClientQuotas(
                                ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity("group", "g"))))
                        .entities()
                        .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnsupportedVersionException.class)
                .hasMessageContaining("Unsupported entity type group");
    }

    @Test
    void kafkaConfigsRefusesANonNumericOrNegativeValueAndChangesNothing() throws Exception {
        KafkaTool.Result text = configs(
                "--alter",
                "--entity-type",
                "clients",
                "--entity-name",
                "tool-bad",
                "--add-config",
                "producer_byte_rate=fast");
        assertThat(text.exitCode()).as(text.output()).isNotZero();
        KafkaTool.Result negative = configs(
                "--alter",
                "--entity-type",
                "clients",
                "--entity-name",
                "tool-bad",
                "--add-config",
                "producer_byte_rate=-100");
        assertThat(negative.exitCode()).as(negative.output()).isNotZero();
        assertThat(negative.output()).contains("Quota producer_byte_rate must be greater than 0");
        assertThat(quotasOf(entity("client-id", "tool-bad"))).isEmpty();
    }

    private static void assertRefused(ClientQuotaEntity e, String key, double value, String message) {
        assertThatThrownBy(() -> alter(e, key, value))
                .as(message)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }
}
