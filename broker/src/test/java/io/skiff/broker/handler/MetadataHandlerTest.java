package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** MetadataHandler through the request pipeline: this node, topic lookups, auto-creation, leader epochs. */
@Timeout(30)
class MetadataHandlerTest {
    private static final int V = 12;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    private void start(Map<String, String> overrides) throws Exception {
        broker = new HandlerFixture(dir, overrides);
        client = broker.connect();
    }

    private void start() throws Exception {
        start(Map.of("num.partitions", "2"));
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private MetadataResponse metadata(int version, MetadataRequest request) throws Exception {
        return client.call(ApiKeys.METADATA, version, request, new MetadataResponse());
    }

    private MetadataResponse.MetadataResponseTopic topic(int version, String name, boolean allowAutoCreate)
            throws Exception {
        MetadataRequest request = new MetadataRequest()
                .setAllowAutoTopicCreation(allowAutoCreate)
                .setTopics(new ArrayList<>(List.of(new MetadataRequest.MetadataRequestTopic().setName(name))));
        MetadataResponse r = metadata(version, request);
        assertThat(r.topics()).hasSize(1);
        return r.topics().get(0);
    }

    @Test
    void thisNodeIsTheOnlyBrokerAndTheController() throws Exception {
        start();
        MetadataResponse r = metadata(V, new MetadataRequest().setTopics(null));
        assertThat(r.clusterId()).isEqualTo(HandlerFixture.CLUSTER_ID);
        assertThat(r.controllerId()).isEqualTo(broker.config.nodeId());
        assertThat(r.brokers()).hasSize(1);
        MetadataResponse.MetadataResponseBroker self = r.brokers().get(0);
        assertThat(self.nodeId()).isEqualTo(broker.config.nodeId());
        assertThat(self.host()).isEqualTo(HandlerFixture.HOST);
        assertThat(self.port()).isEqualTo(HandlerFixture.PORT);
        assertThat(self.rack()).isNull();
    }

    @Test
    void beforeVersion12ATopicWithoutANameMakesTheRequestInvalid() throws Exception {
        start();
        TopicImage known = broker.createTopic("known", 1);
        MetadataRequest request = new MetadataRequest()
                .setAllowAutoTopicCreation(false)
                .setTopics(new ArrayList<>(List.of(
                        new MetadataRequest.MetadataRequestTopic().setName(null).setTopicId(known.id()),
                        new MetadataRequest.MetadataRequestTopic().setName("known"))));
        MetadataResponse r = metadata(11, request);
        assertThat(r.brokers()).isEmpty();
        assertThat(r.controllerId()).isEqualTo(-1);
        assertThat(r.topics())
                .extracting(t -> Errors.forCode(t.errorCode()))
                .containsExactly(Errors.INVALID_REQUEST, Errors.INVALID_REQUEST);
        assertThat(r.topics())
                .extracting(MetadataResponse.MetadataResponseTopic::name)
                .containsExactly("", "known");
        // version 12 answers topic ids
        MetadataResponse v12 = metadata(V, request);
        assertThat(v12.topics()).extracting(t -> Errors.forCode(t.errorCode())).containsOnly(Errors.NONE);
    }

    @Test
    void aNullListDescribesEveryTopicAndVersion0DoesSoForAnEmptyList() throws Exception {
        start();
        broker.createTopic("a", 1);
        broker.createTopic("b", 3);
        assertThat(metadata(V, new MetadataRequest().setTopics(null)).topics())
                .extracting(MetadataResponse.MetadataResponseTopic::name)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(metadata(0, new MetadataRequest().setTopics(new ArrayList<>()))
                        .topics())
                .extracting(MetadataResponse.MetadataResponseTopic::name)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(metadata(V, new MetadataRequest().setTopics(new ArrayList<>()))
                        .topics())
                .as("from version 1 an empty list means none")
                .isEmpty();
    }

    @Test
    void partitionsCarryLeaderReplicasIsrAndTheLeaderEpochOfThePartition() throws Exception {
        start();
        TopicImage t = broker.createTopic("t", 2);
        broker.electLeader("t", 1, 4);
        MetadataResponse.MetadataResponseTopic r = topic(V, "t", false);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.topicId()).isEqualTo(t.id());
        assertThat(r.isInternal()).isFalse();
        assertThat(r.partitions()).hasSize(2);
        int self = broker.config.nodeId();
        for (MetadataResponse.MetadataResponsePartition p : r.partitions()) {
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            assertThat(p.leaderId()).isEqualTo(self);
            assertThat(p.replicaNodes()).containsExactly(self);
            assertThat(p.isrNodes()).containsExactly(self);
            assertThat(p.offlineReplicas()).isEmpty();
        }
        assertThat(r.partitions().get(0).leaderEpoch()).isZero();
        assertThat(r.partitions().get(1).leaderEpoch()).isEqualTo(4);
    }

    @Test
    void anUnknownTopicIsCreatedWhenTheRequestAndTheBrokerAllowIt() throws Exception {
        start();
        MetadataResponse.MetadataResponseTopic r = topic(V, "auto", true);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.partitions()).as("num.partitions").hasSize(2);
        assertThat(r.topicId()).isEqualTo(broker.metadata.image().topic("auto").id());
        broker.partition("auto", 1);
    }

    @Test
    void autoCreationOfCollidingRepeatedAndInternalNamesStillAnswers() throws Exception {
        start();
        List<String> names =
                List.of("dup.x", "dup_x", "dup.x", "__consumer_offsets", "__transaction_state", "a".repeat(249));
        List<MetadataRequest.MetadataRequestTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new MetadataRequest.MetadataRequestTopic().setName(n));
        }
        MetadataResponse r = metadata(
                V, new MetadataRequest().setAllowAutoTopicCreation(true).setTopics(topics));
        assertThat(r.topics()).isNotEmpty();
        MetadataResponse again = metadata(
                V, new MetadataRequest().setAllowAutoTopicCreation(true).setTopics(topics));
        assertThat(again.topics()).isNotEmpty();
    }

    @Test
    void versionsBefore4CreateUnknownTopics() throws Exception {
        start();
        // These versions have no allow_auto_topic_creation field: the broker setting alone decides.
        MetadataResponse.MetadataResponseTopic r = topic(1, "old-client", true);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.metadata.image().topic("old-client")).isNotNull();
    }

    @Test
    void anUnknownTopicIsNotCreatedWhenTheRequestForbidsIt() throws Exception {
        start();
        MetadataResponse.MetadataResponseTopic r = topic(V, "absent", false);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(r.partitions()).isEmpty();
        assertThat(broker.metadata.image().topic("absent")).isNull();
    }

    @Test
    void anUnknownTopicIsNotCreatedWhenTheBrokerForbidsIt() throws Exception {
        start(Map.of("auto.create.topics.enable", "false"));
        assertThat(Errors.forCode(topic(V, "absent", true).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(broker.metadata.image().topic("absent")).isNull();
    }

    @Test
    void anIllegalNameIsAnsweredInvalidTopicAndNotCreated() throws Exception {
        start();
        assertThat(Errors.forCode(topic(V, "no spaces", true).errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(broker.metadata.image().topics()).isEmpty();
    }

    @Test
    void topicsAreFoundByIdAndAnUnknownIdIsAnsweredUnknownTopicId() throws Exception {
        start();
        TopicImage t = broker.createTopic("t", 1);
        Uuid unknown = Uuid.random();
        MetadataRequest request = new MetadataRequest()
                .setAllowAutoTopicCreation(false)
                .setTopics(new ArrayList<>(List.of(
                        new MetadataRequest.MetadataRequestTopic().setName(null).setTopicId(t.id()),
                        new MetadataRequest.MetadataRequestTopic().setName(null).setTopicId(unknown))));
        MetadataResponse r = metadata(V, request);
        assertThat(r.topics()).hasSize(2);
        assertThat(r.topics().get(0).name()).isEqualTo("t");
        assertThat(Errors.forCode(r.topics().get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.topics().get(1).topicId()).isEqualTo(unknown);
        assertThat(Errors.forCode(r.topics().get(1).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
    }

    @Test
    void internalTopicsAreMarkedInternal() throws Exception {
        start();
        broker.createTopic("__consumer_offsets", 1);
        assertThat(topic(V, "__consumer_offsets", false).isInternal()).isTrue();
    }

    @Test
    void authorizedOperationsAreAnsweredOnlyWhenAsked() throws Exception {
        start();
        broker.createTopic("t", 1);
        MetadataRequest asked = new MetadataRequest()
                .setAllowAutoTopicCreation(false)
                .setIncludeTopicAuthorizedOperations(true)
                .setTopics(new ArrayList<>(List.of(new MetadataRequest.MetadataRequestTopic().setName("t"))));
        assertThat(metadata(V, asked).topics().get(0).topicAuthorizedOperations())
                .isEqualTo(LocalNode.ALL_TOPIC_OPERATIONS);
        assertThat(topic(V, "t", false).topicAuthorizedOperations()).isEqualTo(LocalNode.OPERATIONS_NOT_REQUESTED);
    }
}
