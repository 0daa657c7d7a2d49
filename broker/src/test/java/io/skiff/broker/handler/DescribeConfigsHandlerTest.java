package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.DescribeConfigsRequest;
import io.skiff.wire.message.DescribeConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DescribeConfigsHandler through the request pipeline: sources, synonyms, key filters and refusals. */
@Timeout(30)
class DescribeConfigsHandlerTest {
    private static final int V = 4;
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    private static final byte DYNAMIC_TOPIC_CONFIG = 1;
    private static final byte STATIC_BROKER_CONFIG = 4;
    private static final byte DEFAULT_CONFIG = 5;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir, Map.of("log.retention.ms", "7200000"));
        broker.createTopic("t", 1, Map.of("cleanup.policy", "compact"));
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    static DescribeConfigsResponse.DescribeConfigsResult describe(
            PipelineServer.Connection client, byte type, String name, List<String> keys) throws Exception {
        DescribeConfigsRequest request = new DescribeConfigsRequest()
                .setIncludeSynonyms(true)
                .setResources(new ArrayList<>(List.of(new DescribeConfigsRequest.DescribeConfigsResource()
                        .setResourceType(type)
                        .setResourceName(name)
                        .setConfigurationKeys(keys))));
        DescribeConfigsResponse r = client.call(ApiKeys.DESCRIBE_CONFIGS, V, request, new DescribeConfigsResponse());
        assertThat(r.results()).hasSize(1);
        DescribeConfigsResponse.DescribeConfigsResult result = r.results().get(0);
        assertThat(result.resourceType()).isEqualTo(type);
        assertThat(result.resourceName()).isEqualTo(name);
        return result;
    }

    static DescribeConfigsResponse.DescribeConfigsResourceResult entry(
            DescribeConfigsResponse.DescribeConfigsResult r, String key) {
        for (DescribeConfigsResponse.DescribeConfigsResourceResult c : r.configs()) {
            if (c.name().equals(key)) {
                return c;
            }
        }
        throw new AssertionError("no " + key + " among " + r.configs().size() + " configs");
    }

    private static List<Byte> synonymSources(DescribeConfigsResponse.DescribeConfigsResourceResult c) {
        List<Byte> out = new ArrayList<>();
        for (DescribeConfigsResponse.DescribeConfigsSynonym s : c.synonyms()) {
            out.add(s.source());
        }
        return out;
    }

    @Test
    void aTopicOverrideABrokerSettingAndADefaultEachShowTheirSource() throws Exception {
        DescribeConfigsResponse.DescribeConfigsResult r = describe(client, TOPIC, "t", null);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        DescribeConfigsResponse.DescribeConfigsResourceResult policy = entry(r, "cleanup.policy");
        assertThat(policy.value()).isEqualTo("compact");
        assertThat(policy.configSource()).isEqualTo(DYNAMIC_TOPIC_CONFIG);
        assertThat(synonymSources(policy)).first().isEqualTo(DYNAMIC_TOPIC_CONFIG);
        assertThat(synonymSources(policy)).last().isEqualTo(DEFAULT_CONFIG);

        DescribeConfigsResponse.DescribeConfigsResourceResult retention = entry(r, "retention.ms");
        assertThat(retention.value()).isEqualTo("7200000");
        assertThat(retention.configSource()).isEqualTo(STATIC_BROKER_CONFIG);
        assertThat(retention.synonyms()).first().satisfies(s -> {
            assertThat(s.name()).isEqualTo("log.retention.ms");
            assertThat(s.value()).isEqualTo("7200000");
            assertThat(s.source()).isEqualTo(STATIC_BROKER_CONFIG);
        });
        assertThat(entry(r, "segment.bytes").configSource()).isEqualTo(DEFAULT_CONFIG);
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.isSensitive()).isFalse();
    }

    @Test
    void configurationKeysLimitTheAnswer() throws Exception {
        DescribeConfigsResponse.DescribeConfigsResult r =
                describe(client, TOPIC, "t", List.of("retention.ms", "cleanup.policy"));
        assertThat(r.configs())
                .extracting(DescribeConfigsResponse.DescribeConfigsResourceResult::name)
                .containsExactlyInAnyOrder("retention.ms", "cleanup.policy");
    }

    @Test
    void anUnknownOrIllegalTopicIsRefused() throws Exception {
        DescribeConfigsResponse.DescribeConfigsResult unknown = describe(client, TOPIC, "nope", null);
        assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(unknown.configs()).isEmpty();
        assertThat(Errors.forCode(describe(client, TOPIC, "no spaces", null).errorCode()))
                .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
    }

    @Test
    void aHugeResourceNameIsRefusedWithAMessageThatStillFitsTheResponse() throws Exception {
        String huge = "x".repeat(30_000);
        DescribeConfigsResponse.DescribeConfigsResult topic = describe(client, TOPIC, huge, null);
        assertThat(Errors.forCode(topic.errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(topic.errorMessage()).hasSizeLessThan(1_000).contains("(30000 characters)");
        DescribeConfigsResponse.DescribeConfigsResult brokerId = describe(client, BROKER, "9".repeat(30_000), null);
        assertThat(Errors.forCode(brokerId.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(brokerId.errorMessage()).hasSizeLessThan(1_000);
    }

    @Test
    void thisBrokersResourceShowsItsSettingsAndAnotherIdIsRefused() throws Exception {
        String self = Integer.toString(broker.config.nodeId());
        DescribeConfigsResponse.DescribeConfigsResult r =
                describe(client, BROKER, self, List.of("log.retention.ms", "num.partitions"));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(entry(r, "log.retention.ms").value()).isEqualTo("7200000");
        assertThat(entry(r, "log.retention.ms").configSource()).isEqualTo(STATIC_BROKER_CONFIG);
        assertThat(entry(r, "num.partitions").value()).isEqualTo("1");
        assertThat(entry(r, "num.partitions").configSource()).isEqualTo(DEFAULT_CONFIG);

        DescribeConfigsResponse.DescribeConfigsResult other =
                describe(client, BROKER, Integer.toString(broker.config.nodeId() + 1), null);
        assertThat(Errors.forCode(other.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(describe(client, BROKER, "", null).configs())
                .as("no cluster-wide defaults are set")
                .isEmpty();
    }

    @Test
    void anUnknownResourceTypeIsAnInvalidRequest() throws Exception {
        assertThat(Errors.forCode(describe(client, (byte) 99, "x", null).errorCode()))
                .isEqualTo(Errors.INVALID_REQUEST);
    }
}
