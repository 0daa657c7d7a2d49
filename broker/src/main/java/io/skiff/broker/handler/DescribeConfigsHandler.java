package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicNames;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigDef;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.DescribeConfigsRequest;
import io.skiff.wire.message.DescribeConfigsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DescribeConfigs (key 32), versions 1-4: topic resources (every topic key with its effective
 * value, source and synonyms, as Apache Kafka resolves them) and broker resources (this
 * node's keys: set in the properties, environment or overrides, or defaults). Needs
 * DESCRIBE_CONFIGS on the topic, or on the cluster for a broker (TOPIC_ or
 * CLUSTER_AUTHORIZATION_FAILED for that resource).
 */
public final class DescribeConfigsHandler extends ApiHandler<DescribeConfigsRequest> {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    static final byte BROKER_LOGGER = 8;

    private static final byte SOURCE_STATIC_BROKER = 4;
    private static final byte SOURCE_DEFAULT = 5;

    private final LocalNode node;
    private final MetadataManager metadata;
    private final Authorizer authorizer;

    public DescribeConfigsHandler(LocalNode node, MetadataManager metadata, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_CONFIGS, 1, 4);
        this.node = node;
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    /** Kafka's check: DESCRIBE_CONFIGS on the topic, or on the cluster for broker resources; NONE when allowed. */
    private Errors refusal(RequestContext context, DescribeConfigsRequest.DescribeConfigsResource r) {
        if (r.resourceType() == TOPIC) {
            return authorizer.authorize(context, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, r.resourceName())
                    ? Errors.NONE
                    : Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (r.resourceType() == BROKER || r.resourceType() == BROKER_LOGGER) {
            return authorizer.authorizeCluster(context, AclOperation.DESCRIBE_CONFIGS)
                    ? Errors.NONE
                    : Errors.CLUSTER_AUTHORIZATION_FAILED;
        }
        return Errors.NONE;
    }

    @Override
    public void handle(RequestContext context, DescribeConfigsRequest request) {
        List<DescribeConfigsResponse.DescribeConfigsResult> results = new ArrayList<>();
        for (DescribeConfigsRequest.DescribeConfigsResource r : request.resources()) {
            Set<String> keys = r.configurationKeys() == null ? null : new HashSet<>(r.configurationKeys());
            DescribeConfigsResponse.DescribeConfigsResult result = new DescribeConfigsResponse.DescribeConfigsResult()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName());
            Errors refused = refusal(context, r);
            if (refused != Errors.NONE) {
                result.setErrorCode(refused.code)
                        .setErrorMessage(refused.message)
                        .setConfigs(new ArrayList<>());
            } else if (r.resourceType() == TOPIC) {
                describeTopic(
                        result, r.resourceName(), keys, request.includeSynonyms(), request.includeDocumentation());
            } else if (r.resourceType() == BROKER) {
                describeBroker(
                        result, r.resourceName(), keys, request.includeSynonyms(), request.includeDocumentation());
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code)
                        .setErrorMessage("Unsupported resource type " + r.resourceType());
            }
            results.add(result);
        }
        context.respond(new DescribeConfigsResponse().setResults(results));
    }

    private void describeTopic(
            DescribeConfigsResponse.DescribeConfigsResult result,
            String name,
            Set<String> keys,
            boolean synonyms,
            boolean docs) {
        if (TopicNames.invalidReason(name) != null) {
            result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code).setErrorMessage(TopicNames.invalidReason(name));
            return;
        }
        TopicImage topic = metadata.image().topic(name);
        if (topic == null) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code)
                    .setErrorMessage("The topic '" + name + "' does not exist.");
            return;
        }
        List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (TopicConfigs.Entry e : TopicConfigs.effective(topic.configs(), node.config())) {
            if (keys != null && !keys.contains(e.key.name)) {
                continue;
            }
            DescribeConfigsResponse.DescribeConfigsResourceResult c =
                    new DescribeConfigsResponse.DescribeConfigsResourceResult()
                            .setName(e.key.name)
                            .setValue(e.value)
                            .setReadOnly(false)
                            .setConfigSource(e.source.code)
                            .setIsSensitive(false)
                            .setConfigType(configType(e.key.type))
                            .setDocumentation(docs ? "" : null);
            if (synonyms) {
                List<DescribeConfigsResponse.DescribeConfigsSynonym> list = new ArrayList<>();
                for (TopicConfigs.Value v : e.synonyms) {
                    list.add(new DescribeConfigsResponse.DescribeConfigsSynonym()
                            .setName(v.name)
                            .setValue(v.value)
                            .setSource(v.source.code));
                }
                c.setSynonyms(list);
            }
            configs.add(c);
        }
        result.setConfigs(configs);
    }

    private void describeBroker(
            DescribeConfigsResponse.DescribeConfigsResult result,
            String name,
            Set<String> keys,
            boolean synonyms,
            boolean docs) {
        if (name.isEmpty()) {
            result.setConfigs(new ArrayList<>()); // no cluster-wide dynamic defaults are set
            return;
        }
        if (!name.equals(Integer.toString(node.nodeId()))) {
            result.setErrorCode(Errors.INVALID_REQUEST.code)
                    .setErrorMessage("Unexpected broker id, expected " + node.nodeId()
                            + " or empty string, but received " + name);
            return;
        }
        BrokerConfig config = node.config();
        List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            if (keys != null && !keys.contains(k.name)) {
                continue;
            }
            String set = config.originals().get(k.name);
            Object value = config.get(k.name);
            boolean sensitive = k.type == ConfigDef.Type.PASSWORD;
            DescribeConfigsResponse.DescribeConfigsResourceResult c =
                    new DescribeConfigsResponse.DescribeConfigsResourceResult()
                            .setName(k.name)
                            .setValue(sensitive || value == null ? null : render(value))
                            .setReadOnly(!dynamic(k.name))
                            .setConfigSource(set != null ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT)
                            .setIsSensitive(sensitive)
                            .setConfigType(configType(k.type))
                            .setDocumentation(docs ? k.doc : null);
            if (synonyms) {
                List<DescribeConfigsResponse.DescribeConfigsSynonym> list = new ArrayList<>();
                if (set != null) {
                    list.add(new DescribeConfigsResponse.DescribeConfigsSynonym()
                            .setName(k.name)
                            .setValue(sensitive ? null : set)
                            .setSource(SOURCE_STATIC_BROKER));
                }
                if (k.defaultText != null) {
                    list.add(new DescribeConfigsResponse.DescribeConfigsSynonym()
                            .setName(k.name)
                            .setValue(sensitive ? null : k.defaultText)
                            .setSource(SOURCE_DEFAULT));
                }
                c.setSynonyms(list);
            }
            configs.add(c);
        }
        result.setConfigs(configs);
    }

    private static String render(Object value) {
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder();
            for (Object o : list) {
                if (b.length() > 0) {
                    b.append(',');
                }
                b.append(o);
            }
            return b.toString();
        }
        return value.toString();
    }

    /** Broker keys Apache Kafka lets one change at run time (so they are not read-only). */
    private static boolean dynamic(String key) {
        return (key.startsWith("log.") && !key.equals("log.dir") && !key.equals("log.dirs"))
                || key.startsWith("compression.")
                || key.equals("message.max.bytes")
                || key.equals("min.insync.replicas")
                || key.equals("num.io.threads")
                || key.equals("num.network.threads")
                || key.equals("listeners")
                || key.equals("advertised.listeners")
                || key.equals("unclean.leader.election.enable")
                || key.equals("producer.id.expiration.ms")
                || key.equals("listener.security.protocol.map");
    }

    /** DescribeConfigs' config_type codes. */
    static byte configType(ConfigDef.Type type) {
        switch (type) {
            case BOOLEAN:
                return 1;
            case STRING:
                return 2;
            case INT:
                return 3;
            case SHORT:
                return 4;
            case LONG:
                return 5;
            case DOUBLE:
                return 6;
            case LIST:
                return 7;
            case CLASS:
                return 8;
            case PASSWORD:
                return 9;
            default:
                return 0;
        }
    }
}
