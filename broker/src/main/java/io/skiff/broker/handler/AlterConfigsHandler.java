package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicConfigAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.AlterConfigsRequest;
import io.skiff.wire.message.AlterConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * AlterConfigs (key 33), versions 0-2, the legacy form: the given configs become a topic's whole
 * set of overrides (keys not named go back to their defaults). Dynamic broker configs are not
 * supported yet. Needs ALTER_CONFIGS on the topic (or the cluster for a broker).
 */
public final class AlterConfigsHandler extends ApiHandler<AlterConfigsRequest> {
    private final TopicConfigAdmin admin;
    private final Authorizer authorizer;

    public AlterConfigsHandler(TopicConfigAdmin admin, Authorizer authorizer) {
        super(ApiKeys.ALTER_CONFIGS, 0, 2);
        this.admin = admin;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, AlterConfigsRequest request) {
        int n = request.resources().size();
        AlterConfigsResponse.AlterConfigsResourceResponse[] out =
                new AlterConfigsResponse.AlterConfigsResourceResponse[n];
        List<TopicConfigAdmin.Change> changes = new ArrayList<>();
        List<Integer> changeIndex = new ArrayList<>();
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
                List<TopicConfigAdmin.Op> ops = new ArrayList<>();
                for (AlterConfigsRequest.AlterableConfig c : r.configs()) {
                    ops.add(new TopicConfigAdmin.Op(c.name(), TopicConfigAdmin.SET, c.value()));
                }
                changes.add(new TopicConfigAdmin.Change(r.resourceName(), ops, true));
                changeIndex.add(i);
            } else {
                out[i].setErrorCode(Errors.INVALID_REQUEST.code)
                        .setErrorMessage(
                                r.resourceType() == DescribeConfigsHandler.BROKER
                                        ? "Dynamic broker configuration is not supported by this broker yet"
                                        : "Unsupported resource type " + r.resourceType());
            }
        }
        admin.alter(changes, request.validateOnly()).whenComplete((results, failure) -> {
            for (int j = 0; j < changeIndex.size(); j++) {
                AlterConfigsResponse.AlterConfigsResourceResponse r = out[changeIndex.get(j)];
                if (failure != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage(failure.getMessage());
                } else {
                    r.setErrorCode(results.get(j).error().code)
                            .setErrorMessage(results.get(j).message());
                }
            }
            context.respond(new AlterConfigsResponse().setResponses(new ArrayList<>(List.of(out))));
        });
    }
}
