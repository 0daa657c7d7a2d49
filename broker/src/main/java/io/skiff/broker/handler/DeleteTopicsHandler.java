package io.skiff.broker.handler;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotas;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.DeleteTopicsRequest;
import io.skiff.wire.message.DeleteTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteTopics (key 20), versions 1-6: by name, or (v6) by name or topic id. The metadata
 * change is durable when the answer leaves; the partitions' files are removed in the
 * background. Each topic needs DELETE (TOPIC_AUTHORIZATION_FAILED, before its existence is
 * looked at); one given by id also DESCRIBE, or its name is not answered.
 */
public final class DeleteTopicsHandler extends ApiHandler<DeleteTopicsRequest> {
    /** The first version whose clients know THROTTLING_QUOTA_EXCEEDED (a strict quota). */
    static final short STRICT_SINCE = 5;

    private final TopicAdmin admin;
    private final MetadataManager metadata;
    private final Authorizer authorizer;
    private final ClientQuotas quotas;

    public DeleteTopicsHandler(TopicAdmin admin, MetadataManager metadata, Authorizer authorizer) {
        this(admin, metadata, authorizer, null);
    }

    /** @param quotas the controller mutation quotas; null for none */
    public DeleteTopicsHandler(TopicAdmin admin, MetadataManager metadata, Authorizer authorizer, ClientQuotas quotas) {
        super(ApiKeys.DELETE_TOPICS, 1, 6);
        this.admin = admin;
        this.metadata = metadata;
        this.authorizer = authorizer;
        this.quotas = quotas;
    }

    /** The request's controller mutation quota (strict from version {@value #STRICT_SINCE}). */
    private MutationQuota quota(RequestContext context) {
        return quotas == null
                ? MutationQuota.UNBOUNDED
                : quotas.mutationQuota(context.session(), context.clientId, context.apiVersion >= STRICT_SINCE);
    }

    /**
     * Kafka's checks for one topic: by id, DESCRIBE (or the name stays hidden), then DELETE.
     * Null when allowed or when an id names no topic (the admin answers UNKNOWN_TOPIC_ID).
     */
    private DeleteTopicsResponse.DeletableTopicResult refusal(RequestContext context, TopicAdmin.TopicRef ref) {
        boolean byId = ref.id() != null && !ref.id().equals(Uuid.ZERO);
        String name = ref.name();
        if (byId) {
            TopicImage t = metadata.image().topic(ref.id());
            if (t == null) {
                return null;
            }
            name = t.name();
            if (!authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                return new DeleteTopicsResponse.DeletableTopicResult()
                        .setName(null)
                        .setTopicId(ref.id())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
            }
        }
        if (name != null && !authorizer.authorize(context, AclOperation.DELETE, ResourceType.TOPIC, name)) {
            return new DeleteTopicsResponse.DeletableTopicResult()
                    .setName(name)
                    .setTopicId(byId ? ref.id() : Uuid.ZERO)
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
        }
        return null;
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
        List<DeleteTopicsResponse.DeletableTopicResult> refused = new ArrayList<>(refs.size());
        List<TopicAdmin.TopicRef> allowed = new ArrayList<>(refs.size());
        for (TopicAdmin.TopicRef ref : refs) {
            DeleteTopicsResponse.DeletableTopicResult r = authorizer.enabled() ? refusal(context, ref) : null;
            refused.add(r);
            if (r == null) {
                allowed.add(ref);
            }
        }
        MutationQuota quota = quota(context);
        admin.delete(allowed, quota).whenComplete((deleted, error) -> {
            List<DeleteTopicsResponse.DeletableTopicResult> results = new ArrayList<>(refs.size());
            int next = 0;
            for (int i = 0; i < refs.size(); i++) {
                if (refused.get(i) != null) {
                    results.add(refused.get(i));
                    continue;
                }
                int at = next++;
                DeleteTopicsResponse.DeletableTopicResult r = new DeleteTopicsResponse.DeletableTopicResult();
                if (error != null) {
                    r.setName(refs.get(i).name())
                            .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                            .setErrorMessage(error.getMessage());
                } else {
                    TopicAdmin.Deleted d = deleted.get(at);
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
