package io.skiff.broker.handler;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotas;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.CreateTopicsRequest;
import io.skiff.wire.message.CreateTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CreateTopics (key 19), versions 2-7: validation and creation through {@link TopicAdmin};
 * from version 5 the answer carries the partition count, replication factor and every
 * effective config of each topic. Each topic created is charged its partitions to the client's
 * {@code controller_mutation_rate} quota: from version 6 a topic that comes once the quota is
 * exhausted is refused THROTTLING_QUOTA_EXCEEDED; before, all are created and the answer throttled.
 */
public final class CreateTopicsHandler extends ApiHandler<CreateTopicsRequest> {
    private final TopicAdmin admin;
    /** The first version whose clients know THROTTLING_QUOTA_EXCEEDED (a strict quota). */
    static final short STRICT_SINCE = 6;

    /** Dynamic broker defaults of topic configs count in the configs answered. */
    private final DynamicBrokerConfig config;

    private final Authorizer authorizer;
    private final ClientQuotas quotas;

    public CreateTopicsHandler(TopicAdmin admin, BrokerConfig config, Authorizer authorizer) {
        this(admin, config, authorizer, null);
    }

    /** @param quotas the controller mutation quotas; null for none */
    public CreateTopicsHandler(TopicAdmin admin, BrokerConfig config, Authorizer authorizer, ClientQuotas quotas) {
        this(admin, DynamicBrokerConfig.of(config), authorizer, quotas);
    }

    public CreateTopicsHandler(
            TopicAdmin admin, DynamicBrokerConfig config, Authorizer authorizer, ClientQuotas quotas) {
        super(ApiKeys.CREATE_TOPICS, 2, 7);
        this.admin = admin;
        this.config = config;
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
    public void handle(RequestContext context, CreateTopicsRequest request) {
        List<TopicAdmin.NewTopic> topics = new ArrayList<>(request.topics().size());
        for (CreateTopicsRequest.CreatableTopic t : request.topics()) {
            Map<Integer, List<Integer>> assignments = new LinkedHashMap<>();
            for (CreateTopicsRequest.CreatableReplicaAssignment a : t.assignments()) {
                assignments.put(a.partitionIndex(), a.brokerIds());
            }
            Map<String, String> configs = new LinkedHashMap<>();
            for (CreateTopicsRequest.CreatableTopicConfig c : t.configs()) {
                configs.put(c.name(), c.value());
            }
            topics.add(
                    new TopicAdmin.NewTopic(t.name(), t.numPartitions(), t.replicationFactor(), assignments, configs));
        }
        short version = context.apiVersion;
        // Kafka: CREATE on the cluster covers every topic, else CREATE on each; configs need DESCRIBE_CONFIGS.
        boolean clusterCreate = authorizer.authorizeCluster(context, AclOperation.CREATE);
        List<TopicAdmin.NewTopic> allowed = new ArrayList<>(topics.size());
        boolean[] denied = new boolean[topics.size()];
        boolean[] configsDenied = new boolean[topics.size()];
        for (int i = 0; i < topics.size(); i++) {
            String name = topics.get(i).name();
            denied[i] = !clusterCreate && !authorizer.authorize(context, AclOperation.CREATE, ResourceType.TOPIC, name);
            configsDenied[i] = !authorizer.authorize(context, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, name);
            if (!denied[i]) {
                allowed.add(topics.get(i));
            }
        }
        MutationQuota quota = quota(context);
        admin.create(allowed, request.validateOnly(), quota).whenComplete((outcomes, error) -> {
            List<CreateTopicsResponse.CreatableTopicResult> results = new ArrayList<>(topics.size());
            int next = 0;
            for (int i = 0; i < topics.size(); i++) {
                CreateTopicsResponse.CreatableTopicResult r = new CreateTopicsResponse.CreatableTopicResult()
                        .setName(topics.get(i).name());
                if (denied[i]) {
                    r.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code).setErrorMessage("Authorization failed.");
                    if (configsDenied[i]) {
                        r.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
                    }
                    results.add(r);
                    continue;
                }
                int at = next++;
                if (error != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage(error.getMessage());
                } else {
                    TopicAdmin.Outcome o = outcomes.get(at);
                    r.setErrorCode(o.error().code).setErrorMessage(o.message()).setTopicId(o.topicId());
                    if (o.ok() && version >= 5 && configsDenied[i]) {
                        r.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code)
                                .setNumPartitions(o.numPartitions())
                                .setReplicationFactor(o.replicationFactor());
                    } else if (o.ok() && version >= 5) {
                        r.setNumPartitions(o.numPartitions())
                                .setReplicationFactor(o.replicationFactor())
                                .setConfigs(configs(o.configs()));
                    }
                }
                results.add(r);
            }
            context.throttle(quota.throttleTimeMs());
            context.respond(new CreateTopicsResponse().setTopics(results));
        });
    }

    private List<CreateTopicsResponse.CreatableTopicConfigs> configs(Map<String, String> overrides) {
        List<CreateTopicsResponse.CreatableTopicConfigs> out = new ArrayList<>();
        for (TopicConfigs.Entry e : TopicConfigs.effective(overrides, config.current())) {
            out.add(new CreateTopicsResponse.CreatableTopicConfigs()
                    .setName(e.key.name)
                    .setValue(e.value)
                    .setReadOnly(false)
                    .setConfigSource(e.source.code)
                    .setIsSensitive(false));
        }
        return out;
    }
}
