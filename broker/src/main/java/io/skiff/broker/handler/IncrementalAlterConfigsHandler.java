package io.skiff.broker.handler;

import io.skiff.broker.admin.BrokerConfigAdmin;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT of topic
 * config overrides ({@link TopicConfigAdmin}) and of dynamic broker configs, for this node or as
 * the cluster default (the empty name; {@link BrokerConfigAdmin}); a broker resource named twice is
 * refused. Needs ALTER_CONFIGS on the topic, or on the cluster for a broker (TOPIC_ or
 * CLUSTER_AUTHORIZATION_FAILED for that resource).
 */
public final class IncrementalAlterConfigsHandler extends ApiHandler<IncrementalAlterConfigsRequest> {
    private final TopicConfigAdmin admin;
    private final BrokerConfigAdmin brokerAdmin;
    private final Authorizer authorizer;

    public IncrementalAlterConfigsHandler(
            TopicConfigAdmin admin, BrokerConfigAdmin brokerAdmin, Authorizer authorizer) {
        super(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1);
        this.admin = admin;
        this.brokerAdmin = brokerAdmin;
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
        Map<String, Integer> brokerCount = new HashMap<>();
        for (IncrementalAlterConfigsRequest.AlterConfigsResource r : request.resources()) {
            if (r.resourceType() == DescribeConfigsHandler.TOPIC) {
                topicCount.merge(r.resourceName(), 1, Integer::sum);
            } else if (r.resourceType() == DescribeConfigsHandler.BROKER) {
                brokerCount.merge(r.resourceName(), 1, Integer::sum);
            }
        }
        List<TopicConfigAdmin.Change> changes = new ArrayList<>();
        List<Integer> changeIndex = new ArrayList<>();
        List<BrokerConfigAdmin.Change> brokerChanges = new ArrayList<>();
        List<Integer> brokerIndex = new ArrayList<>();
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
                changes.add(new TopicConfigAdmin.Change(r.resourceName(), ops(r), false));
                changeIndex.add(i);
            } else if (r.resourceType() == DescribeConfigsHandler.BROKER) {
                if (brokerCount.get(r.resourceName()) > 1) {
                    out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                            .setErrorMessage("Each resource must appear at most once.");
                    continue;
                }
                brokerChanges.add(new BrokerConfigAdmin.Change(r.resourceName(), ops(r), false));
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
            context.respond(new IncrementalAlterConfigsResponse().setResponses(new ArrayList<>(List.of(out))));
        });
    }

    private static List<TopicConfigAdmin.Op> ops(IncrementalAlterConfigsRequest.AlterConfigsResource r) {
        List<TopicConfigAdmin.Op> ops = new ArrayList<>();
        for (IncrementalAlterConfigsRequest.AlterableConfig c : r.configs()) {
            ops.add(new TopicConfigAdmin.Op(c.name(), c.configOperation(), c.value()));
        }
        return ops;
    }

    /** Puts the outcome of each change into the answer of the resource it came from. */
    private static void fill(
            IncrementalAlterConfigsResponse.AlterConfigsResourceResponse[] out,
            List<Integer> index,
            CompletableFuture<List<TopicConfigAdmin.Result>> done) {
        List<TopicConfigAdmin.Result> results = done.isCompletedExceptionally() ? null : done.join();
        for (int j = 0; j < index.size(); j++) {
            IncrementalAlterConfigsResponse.AlterConfigsResourceResponse r = out[index.get(j)];
            if (results == null) {
                r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage(failureMessage(done));
            } else {
                r.setErrorCode(results.get(j).error().code)
                        .setErrorMessage(results.get(j).message());
            }
        }
    }

    /** The message of the exception a failed future holds. */
    static String failureMessage(CompletableFuture<?> failed) {
        try {
            failed.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
