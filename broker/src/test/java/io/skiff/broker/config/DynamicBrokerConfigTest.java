package io.skiff.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dynamic layers on the static configuration: precedence, sources, updates and Kafka's update modes. */
class DynamicBrokerConfigTest {
    private static BrokerConfig config(Map<String, String> props) {
        return new BrokerConfig(props);
    }

    @Test
    void aNodeValueBeatsTheDefaultWhichBeatsThePropertiesWhichBeatTheBuiltInDefault() {
        BrokerConfig base = config(Map.of("log.retention.bytes", "1", "log.segment.bytes", "2000"));
        BrokerConfig both = base.withDynamic(Map.of("log.retention.bytes", "3"), Map.of("log.retention.bytes", "2"));
        assertThat(both.getLong("log.retention.bytes")).isEqualTo(3);
        assertThat(base.withDynamic(Map.of(), Map.of("log.retention.bytes", "2"))
                        .getLong("log.retention.bytes"))
                .isEqualTo(2);
        assertThat(both.getInt("log.segment.bytes")).isEqualTo(2000);
        assertThat(both.getInt("message.max.bytes")).isEqualTo(1048588);
        assertThat(both.originals()).containsEntry("log.retention.bytes", "1");
        assertThat(base.getLong("log.retention.bytes"))
                .as("the static view is unchanged")
                .isEqualTo(1);
    }

    @Test
    void withDynamicAlwaysStartsFromTheStaticValues() {
        BrokerConfig base = config(Map.of());
        BrokerConfig once = base.withDynamic(Map.of("log.retention.bytes", "3"), Map.of());
        BrokerConfig again = once.withDynamic(Map.of(), Map.of());
        assertThat(again.getLong("log.retention.bytes")).isEqualTo(-1);
        assertThat(again.dynamicBrokerConfigs()).isEmpty();
    }

    @Test
    void topicDefaultsTakeTheDynamicValueWithItsSource() {
        BrokerConfig base = config(Map.of("log.retention.hours", "2"));
        BrokerConfig dyn = base.withDynamic(Map.of(), Map.of("log.retention.ms", "99999"));
        TopicConfigs.Entry e = TopicConfigs.effective(TopicConfigs.key("retention.ms"), Map.of(), dyn);
        assertThat(e.value).isEqualTo("99999");
        assertThat(e.source).isEqualTo(TopicConfigs.Source.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(e.synonyms.get(0).name).isEqualTo("log.retention.ms");
        assertThat(e.synonyms.get(1).source).isEqualTo(TopicConfigs.Source.STATIC_BROKER_CONFIG);
        TopicConfigs.Entry overridden =
                TopicConfigs.effective(TopicConfigs.key("retention.ms"), Map.of("retention.ms", "5"), dyn);
        assertThat(overridden.value).isEqualTo("5");
        assertThat(overridden.source).isEqualTo(TopicConfigs.Source.TOPIC_CONFIG);
        TopicConfigs.Entry nodeWins = TopicConfigs.effective(
                TopicConfigs.key("retention.bytes"),
                Map.of(),
                base.withDynamic(Map.of("log.retention.bytes", "7"), Map.of("log.retention.bytes", "8")));
        assertThat(nodeWins.value).isEqualTo("7");
        assertThat(nodeWins.source).isEqualTo(TopicConfigs.Source.DYNAMIC_BROKER_CONFIG);
    }

    @Test
    void updateTakesThisNodesAndTheDefaultEntityAndTellsReconfigurablesOnlyOfChanges() {
        DynamicBrokerConfig dynamic = DynamicBrokerConfig.of(config(Map.of("node.id", "3")));
        List<Long> seen = new ArrayList<>();
        dynamic.addReconfigurable((previous, next) -> seen.add(next.getLong("log.retention.bytes")));
        Map<String, String> image =
                Map.of("3/log.retention.bytes", "10", "-1/log.segment.bytes", "5000", "4/log.retention.bytes", "99");
        assertThat(dynamic.update(image)).isTrue();
        assertThat(dynamic.update(image)).as("the same configs again").isFalse();
        assertThat(seen).containsExactly(10L);
        assertThat(dynamic.current().getInt("log.segment.bytes")).isEqualTo(5000);
        assertThat(dynamic.current().dynamicBrokerConfigs()).containsExactly(Map.entry("log.retention.bytes", "10"));
        assertThat(dynamic.staticConfig().getLong("log.retention.bytes")).isEqualTo(-1);
        dynamic.update(Map.of());
        assertThat(dynamic.current().getLong("log.retention.bytes")).isEqualTo(-1);
        assertThat(seen).containsExactly(10L, -1L);
    }

    @Test
    void aStoredValueThatDoesNotParseOrThatThePolicyRefusesIsLeftOut() {
        DynamicBrokerConfig dynamic = DynamicBrokerConfig.of(config(Map.of()));
        dynamic.update(
                Map.of("1/log.retention.bytes", "abc", "1/log.segment.bytes", "5000", "-1/min.insync.replicas", "2"));
        assertThat(dynamic.current().getLong("log.retention.bytes")).isEqualTo(-1);
        assertThat(dynamic.current().getInt("min.insync.replicas")).isEqualTo(1);
        assertThat(dynamic.current().getInt("log.segment.bytes")).isEqualTo(5000);
    }

    @Test
    void kafkasUpdateModesAndSkiffsLiveKeys() {
        assertThat(DynamicConfigModes.kafkaMode("log.dirs")).isEqualTo(DynamicConfigModes.Mode.READ_ONLY);
        assertThat(DynamicConfigModes.kafkaMode("log.retention.hours")).isEqualTo(DynamicConfigModes.Mode.READ_ONLY);
        assertThat(DynamicConfigModes.kafkaMode("advertised.listeners")).isEqualTo(DynamicConfigModes.Mode.READ_ONLY);
        assertThat(DynamicConfigModes.kafkaMode("log.retention.ms")).isEqualTo(DynamicConfigModes.Mode.CLUSTER_WIDE);
        assertThat(DynamicConfigModes.kafkaMode("listeners")).isEqualTo(DynamicConfigModes.Mode.PER_BROKER);
        assertThat(DynamicConfigModes.kafkaMode("listener.name.external.ssl.keystore.location"))
                .isEqualTo(DynamicConfigModes.Mode.PER_BROKER);
        assertThat(DynamicConfigModes.kafkaMode("listener.name.external.max.connections"))
                .isEqualTo(DynamicConfigModes.Mode.CLUSTER_WIDE);
        assertThat(DynamicConfigModes.kafkaMode("no.such.key")).isNull();
        assertThat(DynamicConfigModes.needsListenerPrefix("ssl.keystore.location"))
                .isTrue();
        assertThat(DynamicConfigModes.needsListenerPrefix("ssl.cipher.suites")).isFalse();
        assertThat(DynamicConfigModes.appliedLive("log.retention.ms")).isTrue();
        assertThat(DynamicConfigModes.appliedLive("message.max.bytes")).isTrue();
        assertThat(DynamicConfigModes.appliedLive("max.connections.per.ip")).isTrue();
        assertThat(DynamicConfigModes.appliedLive("num.io.threads")).isFalse();
        assertThat(DynamicConfigModes.appliedLive("log.cleaner.threads")).isFalse();
        assertThat(DynamicConfigModes.appliedLive("log.retention.hours")).isFalse();
        assertThat(DynamicConfigModes.synonyms("log.retention.ms"))
                .containsExactly("log.retention.ms", "log.retention.minutes", "log.retention.hours");
        assertThat(DynamicConfigModes.synonyms("log.retention.hours")).containsExactly("log.retention.hours");
    }

    @Test
    void valuesAreCheckedByTypeValidatorAndPolicy() {
        assertThat(DynamicConfigModes.valueRefusal("log.retention.bytes", "abc"))
                .isEqualTo("Invalid value abc for configuration log.retention.bytes: Not a number of type LONG");
        assertThat(DynamicConfigModes.valueRefusal("log.retention.bytes", "5")).isNull();
        assertThat(DynamicConfigModes.valueRefusal("min.insync.replicas", "2"))
                .startsWith("Invalid value 2 for configuration min.insync.replicas: a single node");
        assertThat(DynamicConfigModes.valueRefusal("config.providers", "file"))
                .startsWith("Invalid value file for configuration config.providers: Skiff cannot resolve");
        assertThat(DynamicConfigModes.valueRefusal("custom.thing", "x")).isNull();
    }
}
