package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotaAdmin;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.DescribeClientQuotasRequest;
import io.skiff.wire.message.DescribeClientQuotasResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DescribeClientQuotas (key 48), versions 0-1: the client quotas of the current metadata image
 * that match the filter, or the filter's error with no entries, as Apache Kafka answers
 * ({@link ClientQuotaAdmin#describe}). Needs DESCRIBE_CONFIGS on the cluster. Stateless.
 */
public final class DescribeClientQuotasHandler extends ApiHandler<DescribeClientQuotasRequest> {
    private final MetadataManager metadata;
    private final Authorizer authorizer;

    public DescribeClientQuotasHandler(MetadataManager metadata, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_CLIENT_QUOTAS, 0, 1);
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeClientQuotasRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.DESCRIBE_CONFIGS)) {
            context.respond(new DescribeClientQuotasResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message)
                    .setEntries(null));
            return;
        }
        List<ClientQuotaAdmin.Component> components =
                new ArrayList<>(request.components().size());
        for (DescribeClientQuotasRequest.ComponentData c : request.components()) {
            components.add(new ClientQuotaAdmin.Component(c.entityType(), c.matchType(), c.match()));
        }
        ClientQuotaAdmin.Described d = ClientQuotaAdmin.describe(metadata.image(), components, request.strict());
        DescribeClientQuotasResponse response = new DescribeClientQuotasResponse();
        if (d.error() != Errors.NONE) {
            context.respond(response.setErrorCode(d.error().code)
                    .setErrorMessage(d.message())
                    .setEntries(null));
            return;
        }
        List<DescribeClientQuotasResponse.EntryData> entries =
                new ArrayList<>(d.entries().size());
        for (Map.Entry<Map<String, String>, Map<String, Double>> e : d.entries().entrySet()) {
            List<DescribeClientQuotasResponse.EntityData> entity = new ArrayList<>();
            for (Map.Entry<String, String> part : e.getKey().entrySet()) {
                entity.add(new DescribeClientQuotasResponse.EntityData()
                        .setEntityType(part.getKey())
                        .setEntityName(part.getValue()));
            }
            List<DescribeClientQuotasResponse.ValueData> values = new ArrayList<>();
            for (Map.Entry<String, Double> v : e.getValue().entrySet()) {
                values.add(new DescribeClientQuotasResponse.ValueData()
                        .setKey(v.getKey())
                        .setValue(v.getValue()));
            }
            entries.add(new DescribeClientQuotasResponse.EntryData()
                    .setEntity(entity)
                    .setValues(values));
        }
        context.respond(response.setErrorCode(Errors.NONE.code).setEntries(entries));
    }
}
