package io.skiff.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigPolicyTest {
    /** Keys that are refused whatever their value, with a value and a word the message must hold. */
    static Stream<Arguments> refusedKeys() {
        return Stream.of(
                Arguments.of("ssl.engine.factory.class", "com.example.Engines", "plug-in"),
                Arguments.of("sasl.server.callback.handler.class", "com.example.Callbacks", "plug-in"),
                Arguments.of(
                        "listener.name.sasl_ssl.plain.sasl.server.callback.handler.class",
                        "com.example.Callbacks",
                        "plug-in"),
                Arguments.of("zookeeper.connect", "localhost:2181", "ZooKeeper"),
                Arguments.of("config.providers", "file", "provider"),
                Arguments.of(
                        "config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider",
                        "provider"),
                Arguments.of("skiff.log.durabilty", "fsync", "skiff.log.durability"));
    }

    /** Values of honoured or checked keys that a single node cannot honour. */
    static Stream<Arguments> refusedValues() {
        return Stream.of(
                Arguments.of("authorizer.class.name", "com.example.MyAuthorizer", "authorizer plug-ins"),
                Arguments.of("super.users", "admin", "Type:name"),
                Arguments.of("min.insync.replicas", "2", "one replica"),
                Arguments.of("default.replication.factor", "3", "one replica"),
                Arguments.of("create.topic.policy.class.name", "com.example.Policy", "policies"),
                Arguments.of("alter.config.policy.class.name", "com.example.Policy", "policies"),
                Arguments.of("remote.log.storage.system.enable", "true", "tiered storage"),
                Arguments.of("cordoned.log.dirs", "/disk2", "cordoned"),
                Arguments.of("zookeeper.metadata.migration.enable", "true", "ZooKeeper"),
                Arguments.of("security.inter.broker.protocol", "SASL_TLS", "security protocol"),
                Arguments.of("principal.builder.class", "com.example.Builder", "principal builder"),
                Arguments.of("listener.name.ssl.ssl.client.auth", "always", "String must be one of"));
    }

    @ParameterizedTest
    @MethodSource("refusedKeys")
    void refusedKeyStopsStartUpNamingTheKeyTheValueAndWhy(String key, String value, String why) {
        assertThatThrownBy(() -> new BrokerConfig(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("for configuration " + key + ":")
                .hasMessageContaining("Invalid value " + value + " ")
                .hasMessageContaining(why)
                .hasMessageContaining("remove the key");
    }

    @ParameterizedTest
    @MethodSource("refusedValues")
    void valueASingleNodeCannotHonourStopsStartUp(String key, String value, String why) {
        assertThatThrownBy(() -> new BrokerConfig(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value " + value + " for configuration " + key + ":")
                .hasMessageContaining(why);
    }

    @Test
    void valuesASingleNodeCanHonourAreAccepted() {
        BrokerConfig c = new BrokerConfig(Map.of(
                "authorizer.class.name",
                "",
                "min.insync.replicas",
                "1",
                "default.replication.factor",
                "1",
                "remote.log.storage.system.enable",
                "false",
                "security.inter.broker.protocol",
                "SASL_SSL",
                "create.topic.policy.class.name",
                " ",
                "zookeeper.metadata.migration.enable",
                "false",
                "cordoned.log.dirs",
                ""));
        assertThat(c.getInt("min.insync.replicas")).isEqualTo(1);
    }

    @Test
    void secretValuesAreNeverInTheMessage() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"admin\" password=\"hunter2\";");
        secrets.put("listener.name.sasl_ssl.plain.sasl.jaas.config", "x password=\"hunter2\";");
        secrets.put("ssl.keystore.password", "hunter2");
        secrets.put("ssl.key.password", "hunter2");
        secrets.put("ssl.keystore.key", "-----BEGIN PRIVATE KEY----- hunter2");
        secrets.put("ssl.truststore.certificates", "-----BEGIN CERTIFICATE----- hunter2");
        secrets.put("listener.name.ssl.ssl.truststore.certificates", "hunter2");
        secrets.put("sasl.oauthbearer.client.credentials.client.secret", "hunter2");
        secrets.put("sasl.oauthbearer.assertion.private.key.passphrase", "hunter2");
        secrets.put("delegation.token.secret.key", "hunter2");
        for (Map.Entry<String, String> e : secrets.entrySet()) {
            assertThat(new ConfigException(e.getKey(), e.getValue(), "bad").getMessage())
                    .as(e.getKey())
                    .contains("for configuration " + e.getKey() + ":")
                    .contains(ConfigException.HIDDEN)
                    .doesNotContain("hunter2");
        }
        assertThatThrownBy(() -> new BrokerConfig(Map.of("delegation.token.secret.key", "hunter2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ConfigException.HIDDEN)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void passwordTypedValuesAreHiddenWhenInvalid() {
        ConfigDef def = new ConfigDef()
                .define(
                        "my.login",
                        ConfigDef.Type.PASSWORD,
                        null,
                        (key, value) -> {
                            throw new ConfigException(key, value, "too short");
                        },
                        "A password with an unremarkable name.");
        assertThatThrownBy(() -> def.parse("my.login", "hunter2"))
                .hasMessage("Invalid value " + ConfigException.HIDDEN + " for configuration my.login: too short");
    }

    @Test
    void secretsAreRecognisedByNameAndNoBrokerKeyIsOne() {
        assertThat(ConfigPolicy.isSecret("ssl.truststore.certificates")).isTrue();
        assertThat(ConfigPolicy.isSecret("listener.name.internal.scram-sha-256.sasl.jaas.config"))
                .isTrue();
        assertThat(ConfigPolicy.isSecret("my.app.password")).isTrue();
        assertThat(ConfigPolicy.isSecret("num.partitions")).isFalse();
        assertThat(ConfigPolicy.isSecret("listener.name.internal.ssl.keystore.password"))
                .isTrue();
        assertThat(ConfigPolicy.isSecret("listener.name.internal.ssl.keystore.location"))
                .isFalse();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            assertThat(ConfigPolicy.isSecret(k.name))
                    .as(k.name + " is secret exactly when it is a password")
                    .isEqualTo(k.type == ConfigDef.Type.PASSWORD);
        }
    }

    @Test
    void ignoredAndUnknownKeysGetOneWarnLineNamingTheKeyButNeverTheValue() {
        try (LogCapture log = new LogCapture(BrokerConfig.class)) {
            new BrokerConfig(Map.of(
                    "background.threads",
                    "rack-value-1",
                    "num.io.threads",
                    "17",
                    "no.such.key",
                    "unknown-value-2",
                    "my.app.password",
                    "hunter2",
                    "num.partitions",
                    "3"));
            assertThat(log.lines())
                    .containsExactlyInAnyOrder(
                            "WARN Ignoring configuration background.threads: "
                                    + ConfigPolicy.ruleFor("background.threads").note
                                    + " | background.threads | "
                                    + ConfigPolicy.ruleFor("background.threads").note,
                            "WARN Ignoring configuration num.io.threads: " + ConfigPolicy.ruleFor("num.io.threads").note
                                    + " | num.io.threads | " + ConfigPolicy.ruleFor("num.io.threads").note,
                            "WARN Ignoring unknown configuration my.app.password | my.app.password",
                            "WARN Ignoring unknown configuration no.such.key | no.such.key");
            assertThat(String.join("\n", log.lines()))
                    .doesNotContain("rack-value-1", "17", "unknown-value-2", "hunter2");
        }
    }

    @Test
    void rulesPreferTheKeyItselfThenTheDefinitionThenTheMostSpecificPattern() {
        assertThat(ConfigPolicy.ruleFor("skiff.log.durability").treatment).isEqualTo(ConfigPolicy.Treatment.HONOURED);
        assertThat(ConfigPolicy.ruleFor("skiff.log.durable").treatment).isEqualTo(ConfigPolicy.Treatment.REFUSED);
        assertThat(ConfigPolicy.ruleFor("controller.quorum.voters").treatment)
                .isEqualTo(ConfigPolicy.Treatment.HONOURED);
        assertThat(ConfigPolicy.ruleFor("controller.quorum.election.timeout.ms").treatment)
                .isEqualTo(ConfigPolicy.Treatment.IGNORED);
        assertThat(ConfigPolicy.ruleFor("listener.name.internal.num.network.threads").key)
                .isEqualTo("listener.name.*");
        assertThat(ConfigPolicy.ruleFor("listener.name.internal.max.connections").key)
                .isEqualTo("listener.name.*.max.connections");
        assertThat(ConfigPolicy.ruleFor("listener.name.internal.plain.sasl.jaas.config").treatment)
                .isEqualTo(ConfigPolicy.Treatment.HONOURED);
        assertThat(ConfigPolicy.ruleFor("listener.name.internal.plain.sasl.server.callback.handler.class").treatment)
                .isEqualTo(ConfigPolicy.Treatment.REFUSED);
        assertThat(ConfigPolicy.ruleFor("delegation.token.max.lifetime.ms").treatment)
                .isEqualTo(ConfigPolicy.Treatment.IGNORED);
        assertThat(ConfigPolicy.ruleFor("delegation.token.secret.key").treatment)
                .isEqualTo(ConfigPolicy.Treatment.REFUSED);
        assertThat(ConfigPolicy.ruleFor("no.such.key")).isSameAs(ConfigPolicy.UNKNOWN);
    }

    @Test
    void everyBrokerKeyOfKafka431HasARule() throws IOException {
        List<String> unknown = new ArrayList<>();
        int count = 0;
        for (String key : kafkaBrokerKeys()) {
            count++;
            if (ConfigPolicy.ruleFor(key) == ConfigPolicy.UNKNOWN) {
                unknown.add(key);
            }
        }
        assertThat(count).isEqualTo(360);
        assertThat(unknown).isEmpty();
    }

    @Test
    void kafkasStockSingleNodeServerPropertiesAreAccepted() {
        Map<String, String> stock = new LinkedHashMap<>();
        stock.put("process.roles", "broker,controller");
        stock.put("node.id", "1");
        stock.put("controller.quorum.bootstrap.servers", "localhost:9093");
        stock.put("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093");
        stock.put("inter.broker.listener.name", "PLAINTEXT");
        stock.put("advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        stock.put("controller.listener.names", "CONTROLLER");
        stock.put(
                "listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        stock.put("num.network.threads", "3");
        stock.put("num.io.threads", "8");
        stock.put("socket.send.buffer.bytes", "102400");
        stock.put("socket.receive.buffer.bytes", "102400");
        stock.put("socket.request.max.bytes", "104857600");
        stock.put("log.dirs", "/tmp/kraft-combined-logs");
        stock.put("num.partitions", "1");
        stock.put("num.recovery.threads.per.data.dir", "1");
        stock.put("offsets.topic.replication.factor", "1");
        stock.put("share.coordinator.state.topic.replication.factor", "1");
        stock.put("share.coordinator.state.topic.min.isr", "1");
        stock.put("transaction.state.log.replication.factor", "1");
        stock.put("transaction.state.log.min.isr", "1");
        stock.put("log.retention.hours", "168");
        stock.put("log.segment.bytes", "1073741824");
        stock.put("log.retention.check.interval.ms", "300000");
        BrokerConfig c = new BrokerConfig(stock);
        assertThat(c.listeners()).extracting(EndPoint::toString).containsExactly("PLAINTEXT://:9092");
        assertThat(c.advertisedListeners())
                .extracting(EndPoint::toString)
                .containsExactly("PLAINTEXT://localhost:9092");
        assertThat(c.nodeId()).isEqualTo(1);
    }

    private static List<String> kafkaBrokerKeys() throws IOException {
        try (InputStream in = ConfigPolicyTest.class.getResourceAsStream("/kafka-4.3.1-broker-keys.txt")) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return out;
        }
    }
}
