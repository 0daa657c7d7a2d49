package io.skiff.broker.handler;

import io.skiff.broker.admin.BrokerConfigAdmin;
import io.skiff.broker.admin.TopicConfigAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.AlterConfigsRequest;
import io.skiff.wire.message.AlterConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * AlterConfigs (key 33), versions 0-2, the legacy form: the given configs become a topic's whole
 * set of overrides (keys not named go back to their defaults), and the given configs become the
 * whole set of dynamic configs of this node or of the cluster default (the empty name), as in
 * Kafka; a broker resource named twice is refused. Needs ALTER_CONFIGS on the topic (or the cluster for a broker).
 */
public final class AlterConfigsHandler extends ApiHandler<AlterConfigsRequest> {
    private final TopicConfigAdmin admin;
    private final BrokerConfigAdmin brokerAdmin;
    private final Authorizer authorizer;

    public AlterConfigsHandler(TopicConfigAdmin admin, BrokerConfigAdmin brokerAdmin, Authorizer authorizer) {
        super(ApiKeys.ALTER_CONFIGS, 0, 2);
        this.admin = admin;
        this.brokerAdmin = brokerAdmin;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, AlterConfigsRequest request) {
        int n = request.resources().size();
        AlterConfigsResponse.AlterConfigsResourceResponse[] out =
                new AlterConfigsResponse.AlterConfigsResourceResponse[n];
        Map<String, Integer> brokerCount = new HashMap<>();
        for (AlterConfigsRequest.AlterConfigsResource r : request.resources()) {
            if (r.resourceType() == DescribeConfigsHandler.BROKER) {
                brokerCount.merge(r.resourceName(), 1, Integer::sum);
            }
        }
        List<TopicConfigAdmin.Change> changes = new ArrayList<>();
        List<Integer> changeIndex = new ArrayList<>();
        List<BrokerConfigAdmin.Change> brokerChanges = new ArrayList<>();
        List<Integer> brokerIndex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AlterConfigsRequest.AlterConfigsResource r = request.resources().get(i);
            out[i] = new AlterConfigsResponse.AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName());
            Errors refused =
                    IncrementalAlterConfigsHandler.refusal(authorizer, context, r.resourceType(), r.resourceName());
            if (refused != Errors.NONE) {
                out[i].setErrorCode(refused.code).setErrorMessage(null);
            } else if (r.resourceType() == DescribeConfigsHandler.TOPIC) {
                changes.add(new TopicConfigAdmin.Change(r.resourceName(), ops(r), true));
                changeIndex.add(i);
            } else if (r.resourceType() == DescribeConfigsHandler.BROKER) {
                if (brokerCount.get(r.resourceName()) > 1) {
                    out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                            .setErrorMessage("Each resource must appear at most once.");
                    continue;
                }
                brokerChanges.add(new BrokerConfigAdmin.Change(r.resourceName(), ops(r), true));
                brokerIndex.add(i);
            } else {
                out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                        .setErrorMessage("Unsupported resource type " + r.resourceType());
            }
        }
        CompletableFuture<List<TopicConfigAdmin.Result>> topics = admin.alter(changes, request.validateOnly());
        CompletableFuture<List<TopicConfigAdmin.Result>> brokers =
                brokerAdmin.alter(brokerChanges, request.validateOnly());
        CompletableFuture.allOf(topics, brokers).whenComplete((ignored, failure) -> {
            fill(out, changeIndex, topics);
            fill(out, brokerIndex, brokers);
            context.respond(new AlterConfigsResponse().setResponses(new ArrayList<>(List.of(out))));
        });
    }

    /** The given configs as SETs: together they are the resource's whole new set. */
    private static List<TopicConfigAdmin.Op> ops(AlterConfigsRequest.AlterConfigsResource r) {
        List<TopicConfigAdmin.Op> ops = new ArrayList<>();
        for (AlterConfigsRequest.AlterableConfig c : r.configs()) {
            ops.add(new TopicConfigAdmin.Op(c.name(), TopicConfigAdmin.SET, c.value()));
        }
        return ops;
    }

    private static void fill(
            AlterConfigsResponse.AlterConfigsResourceResponse[] out,
            List<Integer> index,
            CompletableFuture<List<TopicConfigAdmin.Result>> done) {
        List<TopicConfigAdmin.Result> results = done.isCompletedExceptionally() ? null : done.join();
        for (int j = 0; j < index.size(); j++) {
            AlterConfigsResponse.AlterConfigsResourceResponse r = out[index.get(j)];
            if (results == null) {
                r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                        .setErrorMessage(IncrementalAlterConfigsHandler.failureMessage(done));
            } else {
                r.setErrorCode(results.get(j).error().code)
                        .setErrorMessage(results.get(j).message());
            }
        }
    }
}
