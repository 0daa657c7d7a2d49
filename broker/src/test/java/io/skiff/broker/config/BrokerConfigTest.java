package io.skiff.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
    @Test
    void defaultsAreKafkasExceptTheSingleNodeConveniences() {
        BrokerConfig c = new BrokerConfig(Map.of());
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.listeners()).hasSize(1);
        assertThat(c.listeners().get(0).toString()).isEqualTo("PLAINTEXT://localhost:9092");
        assertThat(c.logDirs()).containsExactly("./data");
        assertThat(c.getInt("num.partitions")).isEqualTo(1);
        assertThat(c.socketRequestMaxBytes()).isEqualTo(104857600);
        assertThat(c.messageMaxBytes()).isEqualTo(1048588);
        assertThat(c.getBoolean("auto.create.topics.enable")).isTrue();
        assertThat(c.getLong("log.retention.bytes")).isEqualTo(-1L);
        assertThat(c.getInt("offsets.topic.num.partitions")).isEqualTo(50);
    }

    @Test
    void environmentVariablesMapAsTheKafkaImageMapsThem() {
        Map<String, String> props = ConfigLoader.fromEnvironment(Map.of(
                "KAFKA_LISTENERS", "PLAINTEXT://127.0.0.1:1234",
                "KAFKA_LOG_RETENTION_HOURS", "5",
                "KAFKA_SOME___DASHED__UNDERSCORED_KEY", "x",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "PATH", "/bin"));
        assertThat(props)
                .containsOnly(
                        Map.entry("listeners", "PLAINTEXT://127.0.0.1:1234"),
                        Map.entry("log.retention.hours", "5"),
                        Map.entry("some-dashed_underscored.key", "x"));
    }

    @Test
    void overridesBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "num.partitions=2\nlog.retention.hours=10\nnode.id=7\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(
                new String[] {file.toString(), "--override", "num.partitions=4"},
                Map.of("KAFKA_NUM_PARTITIONS", "3", "KAFKA_LOG_RETENTION_HOURS", "11"));
        BrokerConfig c = new BrokerConfig(loaded.properties);
        assertThat(c.getInt("num.partitions")).isEqualTo(4);
        assertThat(c.getInt("log.retention.hours")).isEqualTo(11);
        assertThat(c.nodeId()).isEqualTo(7);
        assertThat(loaded.file).isEqualTo(file);
    }

    @Test
    void unknownKeysAreIgnored() {
        BrokerConfig c = new BrokerConfig(Map.of("no.such.key", "1", "process.roles", "broker,controller"));
        assertThat(c.originals()).doesNotContainKey("no.such.key");
    }

    @Test
    void invalidValueNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> new BrokerConfig(Map.of("num.partitions", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("num.partitions", "0")))
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("auto.create.topics.enable", "yes")))
                .hasMessageContaining("auto.create.topics.enable")
                .hasMessageContaining("yes");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("listeners", "PLAINTEXT:/nohost")))
                .hasMessageContaining("listeners")
                .hasMessageContaining("PLAINTEXT:/nohost");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("skiff.log.durability", "sometimes")))
                .hasMessageContaining("skiff.log.durability")
                .hasMessageContaining("sometimes");
    }

    @Test
    void nodeIdAndBrokerIdAreSynonyms() {
        assertThat(new BrokerConfig(Map.of("broker.id", "3")).nodeId()).isEqualTo(3);
        assertThat(new BrokerConfig(Map.of("node.id", "4", "broker.id", "4")).nodeId())
                .isEqualTo(4);
        assertThatThrownBy(() -> new BrokerConfig(Map.of("node.id", "4", "broker.id", "5")))
                .hasMessageContaining("node.id");
    }

    @Test
    void controllerListenersAreNotBoundAndAdvertisedListenersDefaultToListeners() {
        BrokerConfig c = new BrokerConfig(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names", "CONTROLLER"));
        assertThat(c.listeners()).extracting(e -> e.listenerName).containsExactly("PLAINTEXT");
        assertThat(c.advertisedListeners())
                .extracting(EndPoint::toString)
                .containsExactly("PLAINTEXT://127.0.0.1:9092");
        BrokerConfig d = new BrokerConfig(
                Map.of("listeners", "PLAINTEXT://:9092", "advertised.listeners", "PLAINTEXT://broker.example:19092"));
        assertThat(d.advertisedListeners().get(0).host).isEqualTo("broker.example");
        assertThat(d.listeners().get(0).host).isEmpty();
    }

    @Test
    void commandLineErrorsAreReported() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--override"}, Map.of()))
                .hasMessageContaining("--override");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--override", "novalue"}, Map.of()))
                .hasMessageContaining("novalue");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"/no/such/file.properties"}, Map.of()))
                .hasMessageContaining("/no/such/file.properties");
        assertThat(ConfigLoader.load(new String[] {"--override=a.b=c=d"}, Map.of()).properties)
                .isEqualTo(Map.of("a.b", "c=d"));
        assertThat(List.of(ConfigLoader.load(new String[0], Map.of()).properties))
                .containsExactly(Map.of());
    }
}
