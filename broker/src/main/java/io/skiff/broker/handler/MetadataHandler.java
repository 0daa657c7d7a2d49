package io.skiff.broker.handler;

import io.skiff.broker.config.EndPoint;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Metadata (key 3), versions 0-13: this node as the only broker and the controller, the
 * cluster id, and the requested topics. This node holds no topics yet, so a requested topic
 * is unknown (UNKNOWN_TOPIC_OR_PARTITION by name, UNKNOWN_TOPIC_ID by id).
 */
public final class MetadataHandler extends ApiHandler<MetadataRequest> {
    private final int nodeId;
    private final Supplier<String> clusterId;
    private final Supplier<List<EndPoint>> advertised;

    public MetadataHandler(int nodeId, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
        super(ApiKeys.METADATA, 0, 13);
        this.nodeId = nodeId;
        this.clusterId = clusterId;
        this.advertised = advertised;
    }

    @Override
    public void handle(RequestContext context, MetadataRequest request) {
        MetadataResponse response = new MetadataResponse()
            .setClusterId(clusterId.get())
            .setControllerId(nodeId);
        EndPoint self = endPointFor(context.listenerName);
        List<MetadataResponse.MetadataResponseBroker> brokers = new ArrayList<>(1);
        if (self != null) {
            brokers.add(new MetadataResponse.MetadataResponseBroker().setNodeId(nodeId).setHost(self.host)
                .setPort(self.port).setRack(null));
        }
        response.setBrokers(brokers);
        List<MetadataResponse.MetadataResponseTopic> topics = new ArrayList<>();
        if (request.topics() != null) {
            for (MetadataRequest.MetadataRequestTopic t : request.topics()) {
                MetadataResponse.MetadataResponseTopic out = new MetadataResponse.MetadataResponseTopic()
                    .setName(t.name()).setTopicId(t.topicId() == null ? Uuid.ZERO : t.topicId());
                if (t.name() == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code);
                } else {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
                }
                topics.add(out);
            }
        }
        response.setTopics(topics);
        context.respond(response);
    }

    private EndPoint endPointFor(String listenerName) {
        for (EndPoint e : advertised.get()) {
            if (e.listenerName.equals(listenerName)) {
                return e;
            }
        }
        return null;
    }
}
