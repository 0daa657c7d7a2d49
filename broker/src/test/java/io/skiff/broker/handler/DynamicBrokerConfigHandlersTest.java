package io.skiff.broker.handler;

import static io.skiff.broker.handler.DescribeConfigsHandlerTest.BROKER;
import static io.skiff.broker.handler.DescribeConfigsHandlerTest.TOPIC;
import static io.skiff.broker.handler.DescribeConfigsHandlerTest.describe;
import static io.skiff.broker.handler.DescribeConfigsHandlerTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.AlterConfigsRequest;
import io.skiff.wire.message.AlterConfigsResponse;
import io.skiff.wire.message.DescribeConfigsResponse;
import io.skiff.wire.message.IncrementalAlterConfigsRequest;
import io.skiff.wire.message.IncrementalAlterConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic broker configs through IncrementalAlterConfigs, AlterConfigs and DescribeConfigs: Kafka's
 * checks and answers, precedence and sources, live effect on the partitions, replay at restart.
 */
@Timeout(30)
class DynamicBrokerConfigHandlersTest {
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;
    private static final byte DYNAMIC_BROKER_CONFIG = 2;
    private static final byte DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
    private static final byte STATIC_BROKER_CONFIG = 4;
    private static final byte DEFAULT_CONFIG = 5;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;
    private String self;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir, Map.of("log.segment.bytes", "2000000"));
        broker.createTopic("t", 1);
        client = broker.connect();
        self = Integer.toString(broker.config.nodeId());
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private static IncrementalAlterConfigsRequest.AlterableConfig op(String key, byte operation, String value) {
        return new IncrementalAlterConfigsRequest.AlterableConfig()
                .setName(key)
                .setConfigOperation(operation)
                .setValue(value);
    }

    private static IncrementalAlterConfigsRequest.AlterConfigsResource resource(
            byte type, String name, IncrementalAlterConfigsRequest.AlterableConfig... ops) {
        return new IncrementalAlterConfigsRequest.AlterConfigsResource()
                .setResourceType(type)
                .setResourceName(name)
                .setConfigs(new ArrayList<>(List.of(ops)));
    }

    private List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> alter(
            boolean validateOnly, IncrementalAlterConfigsRequest.AlterConfigsResource... resources) throws Exception {
        IncrementalAlterConfigsRequest request = new IncrementalAlterConfigsRequest()
                .setValidateOnly(validateOnly)
                .setResources(new ArrayList<>(List.of(resources)));
        return client.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 1, request, new IncrementalAlterConfigsResponse())
                .responses();
    }

    /** Alters one broker resource; answers "CODE message" (message null when none). */
    private String alterBroker(String name, IncrementalAlterConfigsRequest.AlterableConfig... ops) throws Exception {
        IncrementalAlterConfigsResponse.AlterConfigsResourceResponse r =
                alter(false, resource(BROKER, name, ops)).get(0);
        return Errors.forCode(r.errorCode()) + " " + r.errorMessage();
    }

    private static String synonyms(DescribeConfigsResponse.DescribeConfigsResourceResult c) {
        List<String> out = new ArrayList<>();
        for (DescribeConfigsResponse.DescribeConfigsSynonym s : c.synonyms()) {
            out.add(s.source() + ":" + s.name() + "=" + s.value());
        }
        return out.toString();
    }

    @Test
    void aNodeValueBeatsTheClusterDefaultWhichBeatsTheProperties() throws Exception {
        assertThat(alterBroker("", op("log.segment.bytes", SET, "3000000"))).isEqualTo("NONE null");
        DescribeConfigsResponse.DescribeConfigsResourceResult c =
                entry(describe(client, BROKER, self, null), "log.segment.bytes");
        assertThat(c.value()).isEqualTo("3000000");
        assertThat(c.configSource()).isEqualTo(DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(c.readOnly()).isFalse();
        assertThat(alterBroker(self, op("log.segment.bytes", SET, "4000000"))).isEqualTo("NONE null");
        c = entry(describe(client, BROKER, self, null), "log.segment.bytes");
        assertThat(c.value()).isEqualTo("4000000");
        assertThat(c.configSource()).isEqualTo(DYNAMIC_BROKER_CONFIG);
        assertThat(synonyms(c))
                .isEqualTo("[2:log.segment.bytes=4000000, 3:log.segment.bytes=3000000, 4:log.segment.bytes=2000000,"
                        + " 5:log.segment.bytes=1073741824]");
        assertThat(broker.partition("t", 0).log().config().segmentBytes).isEqualTo(4_000_000);

        assertThat(alterBroker(self, op("log.segment.bytes", DELETE, null))).isEqualTo("NONE null");
        assertThat(broker.partition("t", 0).log().config().segmentBytes).isEqualTo(3_000_000);
        assertThat(alterBroker("", op("log.segment.bytes", DELETE, null))).isEqualTo("NONE null");
        c = entry(describe(client, BROKER, self, null), "log.segment.bytes");
        assertThat(c.configSource()).isEqualTo(STATIC_BROKER_CONFIG);
        assertThat(broker.partition("t", 0).log().config().segmentBytes).isEqualTo(2_000_000);
    }

    @Test
    void synonymsComeInKafkasBlocksWithEntriesBeforeTheKeyDropped() throws Exception {
        assertThat(alterBroker("", op("log.retention.ms", SET, "99999"))).isEqualTo("NONE null");
        DescribeConfigsResponse.DescribeConfigsResourceResult ms =
                entry(describe(client, BROKER, self, null), "log.retention.ms");
        assertThat(ms.value()).isEqualTo("99999");
        assertThat(synonyms(ms)).isEqualTo("[3:log.retention.ms=99999, 5:log.retention.hours=168]");
        DescribeConfigsResponse.DescribeConfigsResourceResult rollMs =
                entry(describe(client, BROKER, self, null), "log.roll.ms");
        assertThat(rollMs.value()).isNull();
        assertThat(rollMs.synonyms()).isEmpty();
        assertThat(rollMs.configSource()).isEqualTo(DEFAULT_CONFIG);
        DescribeConfigsResponse.DescribeConfigsResourceResult hours =
                entry(describe(client, BROKER, self, null), "log.retention.hours");
        assertThat(hours.readOnly()).isTrue();
        assertThat(synonyms(hours)).isEqualTo("[5:log.retention.hours=168]");
    }

    @Test
    void theDefaultEntityListsOnlyClusterDefaults() throws Exception {
        assertThat(describe(client, BROKER, "", null).configs()).isEmpty();
        assertThat(alterBroker("", op("log.retention.bytes", SET, "5000"))).isEqualTo("NONE null");
        assertThat(alterBroker(self, op("log.retention.ms", SET, "6000"))).isEqualTo("NONE null");
        DescribeConfigsResponse.DescribeConfigsResult d = describe(client, BROKER, "", null);
        assertThat(d.configs()).hasSize(1);
        assertThat(d.configs().get(0).name()).isEqualTo("log.retention.bytes");
        assertThat(d.configs().get(0).value()).isEqualTo("5000");
        assertThat(d.configs().get(0).configSource()).isEqualTo(DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(synonyms(d.configs().get(0))).isEqualTo("[3:log.retention.bytes=5000]");
    }

    @Test
    void topicsWithoutAnOverrideSeeTheNewDefaultAndTopicsWithOneKeepIt() throws Exception {
        broker.createTopic("own", 1, Map.of("retention.bytes", "777"));
        assertThat(alterBroker("", op("log.retention.bytes", SET, "5000"))).isEqualTo("NONE null");
        assertThat(broker.partition("t", 0).log().config().retentionBytes).isEqualTo(5000);
        assertThat(broker.partition("own", 0).log().config().retentionBytes).isEqualTo(777);
        DescribeConfigsResponse.DescribeConfigsResourceResult c =
                entry(describe(client, TOPIC, "t", List.of("retention.bytes")), "retention.bytes");
        assertThat(c.value()).isEqualTo("5000");
        assertThat(c.configSource()).isEqualTo(DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(synonyms(c)).isEqualTo("[3:log.retention.bytes=5000, 5:log.retention.bytes=-1]");
        broker.createTopic("later", 1);
        assertThat(broker.partition("later", 0).log().config().retentionBytes).isEqualTo(5000);
    }

    @Test
    void aSmallerMessageMaxBytesRefusesALargerBatchAtOnce() throws Exception {
        HandlerFixture.produceOk(client, "t", 0, TestBatches.spec().valueSize(2000));
        assertThat(alterBroker(self, op("message.max.bytes", SET, "1000"))).isEqualTo("NONE null");
        assertThat(Errors.forCode(HandlerFixture.produce(
                                client, "t", 0, TestBatches.spec().valueSize(2000))
                        .errorCode()))
                .isEqualTo(Errors.MESSAGE_TOO_LARGE);
        HandlerFixture.produceOk(client, "t", 0, TestBatches.spec().valueSize(100));
    }

    @Test
    void readOnlyKeysAreRefusedFirstWithKafkasMessage() throws Exception {
        assertThat(alterBroker(
                        self,
                        op("log.dirs", SET, "/x"),
                        op("log.retention.hours", SET, "3"),
                        op("log.retention.bytes", SET, "abc")))
                .isEqualTo("INVALID_REQUEST Cannot update these configs dynamically: [log.retention.hours, log.dirs]");
        assertThat(alterBroker(self, op("advertised.listeners", SET, "PLAINTEXT://h:1")))
                .isEqualTo("INVALID_REQUEST Cannot update these configs dynamically: [advertised.listeners]");
        assertThat(broker.metadata.image().brokerConfigs()).isEmpty();
    }

    @Test
    void valuesAreCheckedWithTheKeysTypeAndValidator() throws Exception {
        assertThat(alterBroker(self, op("log.retention.bytes", SET, "abc")))
                .isEqualTo("INVALID_REQUEST Invalid value abc for configuration log.retention.bytes:"
                        + " Not a number of type LONG");
        assertThat(alterBroker("", op("compression.type", SET, "foo")))
                .startsWith("INVALID_REQUEST Invalid value foo for configuration compression.type: String must be");
        assertThat(alterBroker(self, op("max.connections.per.ip", SET, "0")))
                .isEqualTo("INVALID_REQUEST requirement failed: max.connections.per.ip can be set to zero only if"
                        + " max.connections.per.ip.overrides property is set.");
        assertThat(alterBroker(
                        self,
                        op("max.connections.per.ip", SET, "0"),
                        op("max.connections.per.ip.overrides", SET, "127.0.0.1:5")))
                .isEqualTo("NONE null");
        assertThat(alterBroker(self, op("log.retention.ms", SET, null)))
                .isEqualTo("INVALID_REQUEST Null value not supported for : log.retention.ms");
    }

    @Test
    void securityStoreKeysNeedAListenerPrefixAndPerBrokerKeysAreRefusedAtTheDefaultLevel() throws Exception {
        assertThat(alterBroker(self, op("ssl.keystore.type", SET, "JKS"), op("ssl.truststore.certificates", SET, "x")))
                .isEqualTo("INVALID_REQUEST These security configs can be dynamically updated only per-listener using"
                        + " the listener prefix: [ssl.keystore.type, ssl.truststore.certificates]");
        assertThat(alterBroker("", op("listeners", SET, "PLAINTEXT://:1")))
                .isEqualTo("INVALID_REQUEST Cannot update these configs at default cluster level, broker id must be"
                        + " specified: [listeners]");
        assertThat(alterBroker("", op("sasl.enabled.mechanisms", SET, "PLAIN")))
                .isEqualTo("INVALID_REQUEST Cannot update these configs at default cluster level, broker id must be"
                        + " specified: [sasl.enabled.mechanisms]");
    }

    @Test
    void dynamicKeysSkiffCannotApplyLiveAreRefusedNotStored() throws Exception {
        assertThat(alterBroker(self, op("num.io.threads", SET, "4")))
                .startsWith("INVALID_REQUEST Skiff cannot apply these configs while it runs")
                .endsWith("[num.io.threads]");
        assertThat(alterBroker(self, op("listeners", SET, "PLAINTEXT://:1"))).endsWith("[listeners]");
        assertThat(alterBroker("", op("log.cleaner.threads", SET, "2"))).endsWith("[log.cleaner.threads]");
        assertThat(broker.metadata.image().brokerConfigs()).isEmpty();
        DescribeConfigsResponse.DescribeConfigsResourceResult io =
                entry(describe(client, BROKER, self, null), "num.io.threads");
        assertThat(io.readOnly()).isTrue();
    }

    @Test
    void unknownKeysAreStoredAndDescribedReadOnlySensitiveWithoutValue() throws Exception {
        assertThat(alterBroker(self, op("custom.thing", SET, "1"))).isEqualTo("NONE null");
        DescribeConfigsResponse.DescribeConfigsResourceResult c =
                entry(describe(client, BROKER, self, null), "custom.thing");
        assertThat(c.value()).isNull();
        assertThat(c.isSensitive()).isTrue();
        assertThat(c.readOnly()).isTrue();
        assertThat(c.configSource()).isEqualTo(DYNAMIC_BROKER_CONFIG);
    }

    @Test
    void aPasswordIsNeverShownNorItsSynonyms() throws Exception {
        broker.close();
        broker = new HandlerFixture(dir.resolve("secret"), Map.of("ssl.keystore.password", "hunter2"));
        client = broker.connect();
        DescribeConfigsResponse.DescribeConfigsResourceResult c =
                entry(describe(client, BROKER, self, null), "ssl.keystore.password");
        assertThat(c.isSensitive()).isTrue();
        assertThat(c.value()).isNull();
        assertThat(c.configSource()).isEqualTo(STATIC_BROKER_CONFIG);
        assertThat(c.synonyms())
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.value()).isNull());
    }

    @Test
    void anotherNodesIdANonNumberAndADuplicateResourceAreRefused() throws Exception {
        int other = broker.config.nodeId() + 1;
        assertThat(alterBroker(Integer.toString(other), op("log.retention.ms", SET, "1")))
                .isEqualTo("INVALID_REQUEST Unexpected broker id, expected " + self + ", but received " + other);
        assertThat(alterBroker("x", op("log.retention.ms", SET, "1")))
                .isEqualTo("INVALID_REQUEST Node id must be an integer, but it is: x");
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> twice = alter(
                false,
                resource(BROKER, self, op("log.retention.ms", SET, "1")),
                resource(BROKER, self, op("log.retention.bytes", SET, "1")));
        for (IncrementalAlterConfigsResponse.AlterConfigsResourceResponse r : twice) {
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(r.errorMessage()).isEqualTo("Each resource must appear at most once.");
        }
        assertThat(broker.metadata.image().brokerConfigs()).isEmpty();
    }

    @Test
    void validateOnlyChecksAndStoresNothing() throws Exception {
        IncrementalAlterConfigsResponse.AlterConfigsResourceResponse ok = alter(
                        true, resource(BROKER, self, op("log.retention.ms", SET, "1000")))
                .get(0);
        assertThat(Errors.forCode(ok.errorCode())).isEqualTo(Errors.NONE);
        IncrementalAlterConfigsResponse.AlterConfigsResourceResponse bad =
                alter(true, resource(BROKER, self, op("log.dirs", SET, "/x"))).get(0);
        assertThat(Errors.forCode(bad.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(broker.metadata.image().brokerConfigs()).isEmpty();
    }

    @Test
    void appendAndSubtractChangeListsFromTheStoredValueOrTheBuiltInDefault() throws Exception {
        assertThat(alterBroker("", op("log.cleanup.policy", APPEND, "compact"))).isEqualTo("NONE null");
        assertThat(broker.metadata.image().brokerConfigs()).containsEntry("-1/log.cleanup.policy", "delete,compact");
        assertThat(broker.partition("t", 0).log().config().compact).isTrue();
        assertThat(alterBroker("", op("log.cleanup.policy", SUBTRACT, "delete")))
                .isEqualTo("NONE null");
        assertThat(broker.metadata.image().brokerConfigs()).containsEntry("-1/log.cleanup.policy", "compact");
        assertThat(alterBroker("", op("log.retention.ms", APPEND, "5")))
                .isEqualTo("INVALID_CONFIG Config value append is not allowed for config key: log.retention.ms");
    }

    @Test
    void alterConfigsReplacesTheWholeSetOfTheEntity() throws Exception {
        assertThat(alterBroker(self, op("log.retention.ms", SET, "1000"), op("log.retention.bytes", SET, "2000")))
                .isEqualTo("NONE null");
        AlterConfigsRequest request = new AlterConfigsRequest()
                .setResources(new ArrayList<>(List.of(new AlterConfigsRequest.AlterConfigsResource()
                        .setResourceType(BROKER)
                        .setResourceName(self)
                        .setConfigs(new ArrayList<>(List.of(new AlterConfigsRequest.AlterableConfig()
                                .setName("log.retention.bytes")
                                .setValue("3000")))))));
        AlterConfigsResponse r = client.call(ApiKeys.ALTER_CONFIGS, 2, request, new AlterConfigsResponse());
        assertThat(Errors.forCode(r.responses().get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.metadata.image().brokerConfigs())
                .containsExactly(Map.entry(self + "/log.retention.bytes", "3000"));
        assertThat(broker.partition("t", 0).log().config().retentionBytes).isEqualTo(3000);
    }

    @Test
    void dynamicConfigsAreReplayedAtRestart() throws Exception {
        assertThat(alterBroker("", op("log.retention.bytes", SET, "5000"))).isEqualTo("NONE null");
        assertThat(alterBroker(self, op("log.retention.ms", SET, "6000"))).isEqualTo("NONE null");
        broker.close();
        broker = new HandlerFixture(dir, Map.of("log.segment.bytes", "2000000"));
        client = broker.connect();
        assertThat(broker.partition("t", 0).log().config().retentionBytes).isEqualTo(5000);
        assertThat(broker.partition("t", 0).log().config().retentionMs).isEqualTo(6000);
        DescribeConfigsResponse.DescribeConfigsResourceResult c =
                entry(describe(client, BROKER, self, null), "log.retention.ms");
        assertThat(c.value()).isEqualTo("6000");
        assertThat(c.configSource()).isEqualTo(DYNAMIC_BROKER_CONFIG);
    }
}
