package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.DeleteTopicsRequest;
import io.skiff.wire.message.DeleteTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DeleteTopicsHandler through the request pipeline: by name, by id (v6), and the refusals. */
@Timeout(30)
class DeleteTopicsHandlerTest {
    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    private void start(Map<String, String> overrides) throws Exception {
        broker = new HandlerFixture(dir, overrides);
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private DeleteTopicsResponse.DeletableTopicResult byName(int version, String name) throws Exception {
        DeleteTopicsResponse r = client.call(
                ApiKeys.DELETE_TOPICS,
                version,
                new DeleteTopicsRequest().setTimeoutMs(10_000).setTopicNames(List.of(name)),
                new DeleteTopicsResponse());
        assertThat(r.responses()).hasSize(1);
        return r.responses().get(0);
    }

    private DeleteTopicsResponse.DeletableTopicResult v6(String name, Uuid id) throws Exception {
        DeleteTopicsResponse r = client.call(
                ApiKeys.DELETE_TOPICS,
                6,
                new DeleteTopicsRequest()
                        .setTimeoutMs(10_000)
                        .setTopics(List.of(new DeleteTopicsRequest.DeleteTopicState()
                                .setName(name)
                                .setTopicId(id))),
                new DeleteTopicsResponse());
        assertThat(r.responses()).hasSize(1);
        return r.responses().get(0);
    }

    @Test
    void aTopicDeletedByNameLosesItsPartitions() throws Exception {
        start(Map.of());
        broker.createTopic("doomed", 2);
        DeleteTopicsResponse.DeletableTopicResult r = byName(5, "doomed");
        assertThat(r.name()).isEqualTo("doomed");
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.metadata.image().topic("doomed")).isNull();
        assertThat(broker.partitions.partition(new TopicPartition("doomed", 0))).isNull();
        assertThat(broker.partitions.partition(new TopicPartition("doomed", 1))).isNull();
    }

    @Test
    void version6DeletesByIdAndAnswersWithNameAndId() throws Exception {
        start(Map.of());
        TopicImage t = broker.createTopic("by-id", 1);
        DeleteTopicsResponse.DeletableTopicResult r = v6(null, t.id());
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.name()).isEqualTo("by-id");
        assertThat(r.topicId()).isEqualTo(t.id());
        assertThat(broker.metadata.image().topic(t.id())).isNull();
    }

    @Test
    void unknownNamesAndIdsAreAnsweredWithTheirOwnErrors() throws Exception {
        start(Map.of());
        assertThat(Errors.forCode(byName(5, "nope").errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        Uuid unknown = Uuid.random();
        DeleteTopicsResponse.DeletableTopicResult r = v6(null, unknown);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        assertThat(r.topicId()).isEqualTo(unknown);
    }

    @Test
    void bothNameAndIdIsAnInvalidRequest() throws Exception {
        start(Map.of());
        TopicImage t = broker.createTopic("both", 1);
        assertThat(Errors.forCode(v6("both", t.id()).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(broker.metadata.image().topic("both")).isNotNull();
    }

    @Test
    void deletionDisabledByTheBrokerIsAnsweredTopicDeletionDisabled() throws Exception {
        start(Map.of("delete.topic.enable", "false"));
        broker.createTopic("kept", 1);
        assertThat(Errors.forCode(byName(5, "kept").errorCode())).isEqualTo(Errors.TOPIC_DELETION_DISABLED);
        assertThat(broker.metadata.image().topic("kept")).isNotNull();
    }
}
