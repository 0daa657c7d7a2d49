package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicConfigAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.IncrementalAlterConfigsRequest;
import io.skiff.wire.message.IncrementalAlterConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT of topic
 * config overrides. Dynamic broker configs are not supported yet (INVALID_REQUEST, saying so).
 * Needs ALTER_CONFIGS on the topic, or on the cluster for a broker (TOPIC_ or
 * CLUSTER_AUTHORIZATION_FAILED for that resource).
 */
public final class IncrementalAlterConfigsHandler extends ApiHandler<IncrementalAlterConfigsRequest> {
    private final TopicConfigAdmin admin;
    private final Authorizer authorizer;

    public IncrementalAlterConfigsHandler(TopicConfigAdmin admin, Authorizer authorizer) {
        super(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1);
        this.admin = admin;
        this.authorizer = authorizer;
    }

    /** Kafka's check: ALTER_CONFIGS on the topic, or on the cluster for a broker; NONE when allowed. */
    static Errors refusal(Authorizer authorizer, RequestContext context, byte resourceType, String name) {
        if (resourceType == DescribeConfigsHandler.TOPIC) {
            return authorizer.authorize(context, AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, name)
                    ? Errors.NONE
                    : Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (resourceType == DescribeConfigsHandler.BROKER || resourceType == DescribeConfigsHandler.BROKER_LOGGER) {
            return authorizer.authorizeCluster(context, AclOperation.ALTER_CONFIGS)
                    ? Errors.NONE
                    : Errors.CLUSTER_AUTHORIZATION_FAILED;
        }
        return Errors.NONE;
    }

    @Override
    public void handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        int n = request.resources().size();
        IncrementalAlterConfigsResponse.AlterConfigsResourceResponse[] out =
                new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse[n];
        Map<String, Integer> topicCount = new HashMap<>();
        for (IncrementalAlterConfigsRequest.AlterConfigsResource r : request.resources()) {
            if (r.resourceType() == DescribeConfigsHandler.TOPIC) {
                topicCount.merge(r.resourceName(), 1, Integer::sum);
            }
        }
        List<TopicConfigAdmin.Change> changes = new ArrayList<>();
        List<Integer> changeIndex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            IncrementalAlterConfigsRequest.AlterConfigsResource r =
                    request.resources().get(i);
            out[i] = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName());
            Errors refused = refusal(authorizer, context, r.resourceType(), r.resourceName());
            if (refused != Errors.NONE) {
                out[i].setErrorCode(refused.code).setErrorMessage(null);
            } else if (r.resourceType() == DescribeConfigsHandler.TOPIC) {
                if (topicCount.get(r.resourceName()) > 1) {
                    out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                            .setErrorMessage("Duplicate resource in the request");
                    continue;
                }
                List<TopicConfigAdmin.Op> ops = new ArrayList<>();
                for (IncrementalAlterConfigsRequest.AlterableConfig c : r.configs()) {
                    ops.add(new TopicConfigAdmin.Op(c.name(), c.configOperation(), c.value()));
                }
                changes.add(new TopicConfigAdmin.Change(r.resourceName(), ops, false));
                changeIndex.add(i);
            } else if (r.resourceType() == DescribeConfigsHandler.BROKER) {
                out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                        .setErrorMessage("Dynamic broker configuration is not supported by this broker yet");
            } else {
                out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                        .setErrorMessage("Unsupported resource type " + r.resourceType());
            }
        }
        admin.alter(changes, request.validateOnly()).whenComplete((results, failure) -> {
            for (int j = 0; j < changeIndex.size(); j++) {
                IncrementalAlterConfigsResponse.AlterConfigsResourceResponse r = out[changeIndex.get(j)];
                if (failure != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage(failure.getMessage());
                } else {
                    r.setErrorCode(results.get(j).error().code)
                            .setErrorMessage(results.get(j).message());
                }
            }
            context.respond(new IncrementalAlterConfigsResponse().setResponses(new ArrayList<>(List.of(out))));
        });
    }
}
