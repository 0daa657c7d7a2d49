package io.skiff.broker.handler;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotas;
import io.skiff.wire.message.DeleteTopicsRequest;
import io.skiff.wire.message.DeleteTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteTopics (key 20), versions 1-6: by name, or (v6) by name or topic id. The metadata
 * change is durable when the answer leaves; the partitions' files are removed in the
 * background.
 */
public final class DeleteTopicsHandler extends ApiHandler<DeleteTopicsRequest> {
    /** The first version whose clients know THROTTLING_QUOTA_EXCEEDED (a strict quota). */
    static final short STRICT_SINCE = 5;

    private final TopicAdmin admin;
    private final ClientQuotas quotas;

    public DeleteTopicsHandler(TopicAdmin admin) {
        this(admin, null);
    }

    /** @param quotas the controller mutation quotas; null for none */
    public DeleteTopicsHandler(TopicAdmin admin, ClientQuotas quotas) {
        super(ApiKeys.DELETE_TOPICS, 1, 6);
        this.admin = admin;
        this.quotas = quotas;
    }

    /** The request's controller mutation quota (strict from version {@value #STRICT_SINCE}). */
    private MutationQuota quota(RequestContext context) {
        return quotas == null
                ? MutationQuota.UNBOUNDED
                : quotas.mutationQuota(context.session(), context.clientId, context.apiVersion >= STRICT_SINCE);
    }

    @Override
    public void handle(RequestContext context, DeleteTopicsRequest request) {
        List<TopicAdmin.TopicRef> refs = new ArrayList<>();
        if (context.apiVersion >= 6) {
            for (DeleteTopicsRequest.DeleteTopicState t : request.topics()) {
                refs.add(new TopicAdmin.TopicRef(t.name(), t.topicId()));
            }
        } else {
            for (String name : request.topicNames()) {
                refs.add(new TopicAdmin.TopicRef(name, null));
            }
        }
        MutationQuota quota = quota(context);
        admin.delete(refs, quota).whenComplete((deleted, error) -> {
            List<DeleteTopicsResponse.DeletableTopicResult> results = new ArrayList<>(refs.size());
            for (int i = 0; i < refs.size(); i++) {
                DeleteTopicsResponse.DeletableTopicResult r = new DeleteTopicsResponse.DeletableTopicResult();
                if (error != null) {
                    r.setName(refs.get(i).name())
                            .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                            .setErrorMessage(error.getMessage());
                } else {
                    TopicAdmin.Deleted d = deleted.get(i);
                    r.setName(d.name() != null ? d.name() : refs.get(i).name())
                            .setTopicId(d.id())
                            .setErrorCode(d.error().code)
                            .setErrorMessage(d.message());
                }
                results.add(r);
            }
            context.throttle(quota.throttleTimeMs());
            context.respond(new DeleteTopicsResponse().setResponses(results));
        });
    }
}
