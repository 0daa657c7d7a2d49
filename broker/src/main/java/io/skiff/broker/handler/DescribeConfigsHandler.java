package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicNames;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigDef;
import io.skiff.broker.config.DynamicConfigModes;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DescribeConfigs (key 32), versions 1-4: topic resources (every topic key with its effective
 * value, source and synonyms, as Apache Kafka resolves them, dynamic broker defaults included) and
 * broker resources: this node's keys with their values now and Kafka's sources and synonyms
 * (dynamic for this node, dynamic cluster default, properties, built-in default), or with the empty
 * name the cluster defaults set. Sensitive values are never shown. Needs
 * DESCRIBE_CONFIGS on the topic, or on the cluster for a broker (TOPIC_ or
 * CLUSTER_AUTHORIZATION_FAILED for that resource).
 */
public final class DescribeConfigsHandler extends ApiHandler<DescribeConfigsRequest> {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    static final byte BROKER_LOGGER = 8;

    private static final byte SOURCE_DYNAMIC_BROKER = 2;
    private static final byte SOURCE_DYNAMIC_DEFAULT = 3;
    private static final byte SOURCE_STATIC_BROKER = 4;
    private static final byte SOURCE_DEFAULT = 5;
    private static final Map<String, String> BUILT_IN_DEFAULTS = builtInDefaults();

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
        BrokerConfig config = node.config();
        List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs = new ArrayList<>();
        if (name.isEmpty()) {
            // The default entity lists the cluster defaults set, and nothing else.
            for (Map.Entry<String, String> e : config.dynamicDefaultConfigs().entrySet()) {
                if (keys == null || keys.contains(e.getKey())) {
                    configs.add(brokerEntry(config, e.getKey(), e.getValue(), false, synonyms, docs));
                }
            }
            result.setConfigs(configs);
            return;
        }
        String refusal = brokerIdRefusal(name);
        if (refusal != null) {
            result.setErrorCode(Errors.INVALID_REQUEST.code).setErrorMessage(refusal);
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            names.add(k.name);
        }
        names.addAll(config.dynamicBrokerConfigs().keySet());
        names.addAll(config.dynamicDefaultConfigs().keySet());
        for (String key : names) {
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            Object value = BrokerConfig.DEF.key(key) == null ? null : config.get(key);
            configs.add(brokerEntry(config, key, value == null ? null : render(value), true, synonyms, docs));
        }
        result.setConfigs(configs);
    }

    /** Kafka's answer to a broker resource name that is not this node's id; null when it is. */
    private String brokerIdRefusal(String name) {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return "Broker id must be an integer, but it is: " + TopicNames.echo(name);
        }
        return id == node.nodeId()
                ? null
                : "Unexpected broker id, expected " + node.nodeId() + " or empty string, but received "
                        + TopicNames.echo(name);
    }

    /**
     * One broker key as Kafka describes it: the source is its first synonym's; the synonyms come in
     * blocks (this node's dynamic values, the cluster defaults, the properties, the built-in
     * defaults), each in the order of {@link DynamicConfigModes#synonyms}, with the entries before
     * the key itself dropped; for the default entity ({@code perBroker} false) only cluster
     * defaults. A key Skiff does not define, or a password, is sensitive and shown without value.
     * Read-only unless Skiff applies a dynamic change of it.
     */
    private static DescribeConfigsResponse.DescribeConfigsResourceResult brokerEntry(
            BrokerConfig config, String key, String value, boolean perBroker, boolean synonyms, boolean docs) {
        ConfigDef.Key def = BrokerConfig.DEF.key(key);
        boolean sensitive = def == null || def.type == ConfigDef.Type.PASSWORD;
        List<DescribeConfigsResponse.DescribeConfigsSynonym> all = new ArrayList<>();
        List<String> names = DynamicConfigModes.synonyms(key);
        addSynonyms(all, names, config.dynamicBrokerConfigs(), SOURCE_DYNAMIC_BROKER, sensitive);
        addSynonyms(all, names, config.dynamicDefaultConfigs(), SOURCE_DYNAMIC_DEFAULT, sensitive);
        addSynonyms(all, names, config.originals(), SOURCE_STATIC_BROKER, sensitive);
        addSynonyms(all, names, BUILT_IN_DEFAULTS, SOURCE_DEFAULT, sensitive);
        while (!all.isEmpty() && !all.get(0).name().equals(key)) {
            all.remove(0);
        }
        if (!perBroker) {
            all.removeIf(s -> s.source() != SOURCE_DYNAMIC_DEFAULT);
        }
        return new DescribeConfigsResponse.DescribeConfigsResourceResult()
                .setName(key)
                .setValue(sensitive ? null : value)
                .setReadOnly(!DynamicConfigModes.appliedLive(key))
                .setConfigSource(all.isEmpty() ? SOURCE_DEFAULT : all.get(0).source())
                .setIsSensitive(sensitive)
                .setConfigType(def == null ? 0 : configType(def.type))
                .setDocumentation(docs && def != null ? def.doc : null)
                .setSynonyms(synonyms ? all : new ArrayList<>());
    }

    private static void addSynonyms(
            List<DescribeConfigsResponse.DescribeConfigsSynonym> out,
            List<String> names,
            Map<String, String> values,
            byte source,
            boolean sensitive) {
        for (String n : names) {
            String v = values.get(n);
            if (v != null) {
                out.add(new DescribeConfigsResponse.DescribeConfigsSynonym()
                        .setName(n)
                        .setValue(sensitive ? null : v)
                        .setSource(source));
            }
        }
    }

    /** The built-in default of every key of {@link BrokerConfig#DEF} that has one, as Kafka documents it. */
    private static Map<String, String> builtInDefaults() {
        Map<String, String> out = new HashMap<>();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            if (k.defaultText != null) {
                out.put(k.name, k.defaultText);
            }
        }
        return Map.copyOf(out);
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
