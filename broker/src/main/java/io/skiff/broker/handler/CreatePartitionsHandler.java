package io.skiff.broker.handler;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotas;
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
    /** The first version whose clients know THROTTLING_QUOTA_EXCEEDED (a strict quota). */
    static final short STRICT_SINCE = 3;

    private final TopicAdmin admin;
    private final Authorizer authorizer;
    private final ClientQuotas quotas;

    public CreatePartitionsHandler(TopicAdmin admin, Authorizer authorizer) {
        this(admin, authorizer, null);
    }

    /** @param quotas the controller mutation quotas; null for none */
    public CreatePartitionsHandler(TopicAdmin admin, Authorizer authorizer, ClientQuotas quotas) {
        super(ApiKeys.CREATE_PARTITIONS, 0, 3);
        this.admin = admin;
        this.authorizer = authorizer;
        this.quotas = quotas;
    }

    /** The request's controller mutation quota (strict from version {@value #STRICT_SINCE}). */
    private MutationQuota quota(RequestContext context) {
        return quotas == null
                ? MutationQuota.UNBOUNDED
                : quotas.mutationQuota(context.session(), context.clientId, context.apiVersion >= STRICT_SINCE);
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
        MutationQuota quota = quota(context);
        admin.createPartitions(allowed, request.validateOnly(), quota).whenComplete((grown, error) -> {
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
            context.throttle(quota.throttleTimeMs());
            context.respond(new CreatePartitionsResponse().setResults(results));
        });
    }
}
