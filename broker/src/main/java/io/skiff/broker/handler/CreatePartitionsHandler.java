package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.CreatePartitionsRequest;
import io.skiff.wire.message.CreatePartitionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/** CreatePartitions (key 37), versions 0-3: grows topics through {@link TopicAdmin}. */
public final class CreatePartitionsHandler extends ApiHandler<CreatePartitionsRequest> {
    private final TopicAdmin admin;
    private final Authorizer authorizer;

    public CreatePartitionsHandler(TopicAdmin admin, Authorizer authorizer) {
        super(ApiKeys.CREATE_PARTITIONS, 0, 3);
        this.admin = admin;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, CreatePartitionsRequest request) {
        List<TopicAdmin.NewPartitions> requests = new ArrayList<>();
        List<TopicAdmin.NewPartitions> allowed = new ArrayList<>();
        List<Boolean> denied = new ArrayList<>();
        for (CreatePartitionsRequest.CreatePartitionsTopic t : request.topics()) {
            List<List<Integer>> assignments = null;
            if (t.assignments() != null) {
                assignments = new ArrayList<>();
                for (CreatePartitionsRequest.CreatePartitionsAssignment a : t.assignments()) {
                    assignments.add(a.brokerIds());
                }
            }
            TopicAdmin.NewPartitions np = new TopicAdmin.NewPartitions(t.name(), t.count(), assignments);
            requests.add(np);
            boolean refused = !authorizer.authorize(context, AclOperation.ALTER, ResourceType.TOPIC, t.name());
            denied.add(refused);
            if (!refused) {
                allowed.add(np);
            }
        }
        admin.createPartitions(allowed, request.validateOnly()).whenComplete((grown, error) -> {
            List<CreatePartitionsResponse.CreatePartitionsTopicResult> results = new ArrayList<>();
            int next = 0;
            for (int i = 0; i < requests.size(); i++) {
                CreatePartitionsResponse.CreatePartitionsTopicResult r =
                        new CreatePartitionsResponse.CreatePartitionsTopicResult()
                                .setName(requests.get(i).name());
                if (denied.get(i)) {
                    r.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code)
                            .setErrorMessage("The topic authorization is failed.");
                    results.add(r);
                    continue;
                }
                int at = next++;
                if (error != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage(error.getMessage());
                } else {
                    r.setErrorCode(grown.get(at).error().code)
                            .setErrorMessage(grown.get(at).message());
                }
                results.add(r);
            }
            context.respond(new CreatePartitionsResponse().setResults(results));
        });
    }
}
