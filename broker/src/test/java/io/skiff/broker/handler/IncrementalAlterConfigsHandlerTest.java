package io.skiff.broker.handler;

import static io.skiff.broker.handler.DescribeConfigsHandlerTest.BROKER;
import static io.skiff.broker.handler.DescribeConfigsHandlerTest.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.IncrementalAlterConfigsRequest;
import io.skiff.wire.message.IncrementalAlterConfigsResponse;
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

/** IncrementalAlterConfigsHandler through the request pipeline: the four operations and the validation errors. */
@Timeout(30)
class IncrementalAlterConfigsHandlerTest {
    private static final int V = 1;
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 1);
        client = broker.connect();
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
        return client.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, V, request, new IncrementalAlterConfigsResponse())
                .responses();
    }

    private Errors alterTopic(IncrementalAlterConfigsRequest.AlterableConfig... ops) throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> r = alter(false, resource(TOPIC, "t", ops));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).resourceName()).isEqualTo("t");
        return Errors.forCode(r.get(0).errorCode());
    }

    private Map<String, String> overrides() {
        return broker.metadata.image().topic("t").configs();
    }

    private String described(String key) throws Exception {
        return DescribeConfigsHandlerTest.entry(
                        DescribeConfigsHandlerTest.describe(client, TOPIC, "t", List.of(key)), key)
                .value();
    }

    @Test
    void setChangesTheTopicAndItsLogAndDeleteGoesBackToTheDefault() throws Exception {
        assertThat(alterTopic(op("retention.ms", SET, "60000"))).isEqualTo(Errors.NONE);
        assertThat(described("retention.ms")).isEqualTo("60000");
        assertThat(broker.partition("t", 0).log().config().retentionMs).isEqualTo(60_000L);

        assertThat(alterTopic(op("retention.ms", DELETE, null))).isEqualTo(Errors.NONE);
        assertThat(overrides()).doesNotContainKey("retention.ms");
        assertThat(described("retention.ms")).isEqualTo("604800000");
    }

    @Test
    void appendAndSubtractWorkOnListKeysFromTheirEffectiveValue() throws Exception {
        assertThat(alterTopic(op("cleanup.policy", APPEND, "compact"))).isEqualTo(Errors.NONE);
        assertThat(described("cleanup.policy")).isEqualTo("delete,compact");
        assertThat(alterTopic(op("cleanup.policy", SUBTRACT, "delete"))).isEqualTo(Errors.NONE);
        assertThat(described("cleanup.policy")).isEqualTo("compact");
    }

    @Test
    void appendToAKeyThatIsNotAListIsAnInvalidConfig() throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> r =
                alter(false, resource(TOPIC, "t", op("retention.ms", APPEND, "5")));
        assertThat(Errors.forCode(r.get(0).errorCode())).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(r.get(0).errorMessage())
                .isEqualTo("Config value append is not allowed for config key: retention.ms");
    }

    @Test
    void unknownKeysAndBadValuesAreInvalidConfigsAndChangeNothing() throws Exception {
        assertThat(alterTopic(op("no.such.key", SET, "1"))).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alterTopic(op("retention.ms", SET, "soon"))).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alterTopic(op("segment.bytes", SET, "1048576"), op("cleanup.policy", SET, "sometimes")))
                .as("all of a resource or nothing")
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(overrides()).isEmpty();
    }

    @Test
    void aKeyTwiceInOneResourceIsAnInvalidRequest() throws Exception {
        assertThat(alterTopic(op("retention.ms", SET, "1000"), op("retention.ms", DELETE, null)))
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(overrides()).isEmpty();
    }

    @Test
    void aResourceTwiceInOneRequestIsAnInvalidRequestForBoth() throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> r = alter(
                false,
                resource(TOPIC, "t", op("retention.ms", SET, "1000")),
                resource(TOPIC, "t", op("segment.ms", SET, "1000")));
        assertThat(r)
                .hasSize(2)
                .allSatisfy(x -> assertThat(Errors.forCode(x.errorCode())).isEqualTo(Errors.INVALID_REQUEST));
        assertThat(overrides()).isEmpty();
    }

    @Test
    void anUnknownTopicIsAnsweredUnknownTopicOrPartition() throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> r =
                alter(false, resource(TOPIC, "nope", op("retention.ms", SET, "1000")));
        assertThat(Errors.forCode(r.get(0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void validateOnlyChecksAndChangesNothing() throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> ok =
                alter(true, resource(TOPIC, "t", op("retention.ms", SET, "1000")));
        assertThat(Errors.forCode(ok.get(0).errorCode())).isEqualTo(Errors.NONE);
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> bad =
                alter(true, resource(TOPIC, "t", op("retention.ms", SET, "soon")));
        assertThat(Errors.forCode(bad.get(0).errorCode())).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(overrides()).isEmpty();
    }

    @Test
    void aBrokerAndATopicResourceInOneRequestBothChange() throws Exception {
        List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> r = alter(
                false,
                resource(BROKER, Integer.toString(broker.config.nodeId()), op("log.retention.ms", SET, "1000")),
                resource(TOPIC, "t", op("retention.ms", SET, "2000")));
        assertThat(Errors.forCode(r.get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(r.get(1).errorCode())).isEqualTo(Errors.NONE);
        assertThat(overrides()).containsEntry("retention.ms", "2000");
        assertThat(broker.metadata.image().brokerConfigs())
                .containsEntry(broker.config.nodeId() + "/log.retention.ms", "1000");
    }
}
