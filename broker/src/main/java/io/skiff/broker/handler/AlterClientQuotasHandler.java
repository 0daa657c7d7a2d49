package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.quota.ClientQuotaAdmin;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.wire.message.AlterClientQuotasRequest;
import io.skiff.wire.message.AlterClientQuotasResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AlterClientQuotas (key 49), versions 0-1: sets and removes client quotas of user, client-id
 * and IP entities (with {@code validate_only}), checked and recorded by {@link ClientQuotaAdmin}
 * with one answer per distinct entity, as Apache Kafka's controller answers. Needs ALTER_CONFIGS
 * on the cluster (every entry CLUSTER_AUTHORIZATION_FAILED). Stateless.
 */
public final class AlterClientQuotasHandler extends ApiHandler<AlterClientQuotasRequest> {
    private final ClientQuotaAdmin admin;
    private final Authorizer authorizer;

    public AlterClientQuotasHandler(ClientQuotaAdmin admin, Authorizer authorizer) {
        super(ApiKeys.ALTER_CLIENT_QUOTAS, 0, 1);
        this.admin = admin;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, AlterClientQuotasRequest request) {
        List<ClientQuotaAdmin.Alteration> alterations =
                new ArrayList<>(request.entries().size());
        for (AlterClientQuotasRequest.EntryData e : request.entries()) {
            // As Kafka reads the request: a type named twice keeps its last name.
            Map<String, String> entity = new HashMap<>();
            for (AlterClientQuotasRequest.EntityData part : e.entity()) {
                entity.put(part.entityType(), part.entityName());
            }
            List<ClientQuotaAdmin.Op> ops = new ArrayList<>(e.ops().size());
            for (AlterClientQuotasRequest.OpData op : e.ops()) {
                ops.add(new ClientQuotaAdmin.Op(op.key(), op.remove() ? null : op.value()));
            }
            alterations.add(new ClientQuotaAdmin.Alteration(entity, ops));
        }
        if (!authorizer.authorizeCluster(context, AclOperation.ALTER_CONFIGS)) {
            List<AlterClientQuotasResponse.EntryData> entries = new ArrayList<>();
            for (ClientQuotaAdmin.Alteration a : alterations) {
                entries.add(entry(
                        a.entity(), Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED.message));
            }
            context.respond(new AlterClientQuotasResponse().setEntries(entries));
            return;
        }
        admin.alter(alterations, request.validateOnly()).whenComplete((results, failure) -> {
            List<AlterClientQuotasResponse.EntryData> entries = new ArrayList<>();
            if (failure != null) {
                for (ClientQuotaAdmin.Alteration a : alterations) {
                    entries.add(entry(a.entity(), Errors.UNKNOWN_SERVER_ERROR, failure.getMessage()));
                }
            } else {
                for (ClientQuotaAdmin.Result r : results) {
                    entries.add(entry(r.entity(), r.error(), r.message()));
                }
            }
            context.respond(new AlterClientQuotasResponse().setEntries(entries));
        });
    }

    private static AlterClientQuotasResponse.EntryData entry(Map<String, String> entity, Errors error, String message) {
        List<AlterClientQuotasResponse.EntityData> parts = new ArrayList<>();
        for (Map.Entry<String, String> part : entity.entrySet()) {
            parts.add(new AlterClientQuotasResponse.EntityData()
                    .setEntityType(part.getKey())
                    .setEntityName(part.getValue()));
        }
        return new AlterClientQuotasResponse.EntryData()
                .setErrorCode(error.code)
                .setErrorMessage(message)
                .setEntity(parts);
    }
}
