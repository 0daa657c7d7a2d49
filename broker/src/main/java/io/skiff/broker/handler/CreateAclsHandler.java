package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclAdmin;
import io.skiff.broker.security.authz.AclBinding;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.AclPermissionType;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.PatternType;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.CreateAclsRequest;
import io.skiff.wire.message.CreateAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * CreateAcls (key 30), versions 1-3: needs ALTER on the cluster. With an authorizer the ACLs go
 * into the metadata log through {@link AclAdmin} (Kafka's checks, one result per creation);
 * without one every creation fails with SECURITY_DISABLED, as in Apache Kafka.
 */
public final class CreateAclsHandler extends ApiHandler<CreateAclsRequest> {
    private final Authorizer authorizer;
    private final AclAdmin admin;

    public CreateAclsHandler(Authorizer authorizer, AclAdmin admin) {
        super(ApiKeys.CREATE_ACLS, 1, 3);
        this.authorizer = authorizer;
        this.admin = admin;
    }

    @Override
    public void handle(RequestContext context, CreateAclsRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.ALTER)) {
            context.respond(
                    failAll(request, Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED.message));
            return;
        }
        if (!authorizer.enabled()) {
            context.respond(failAll(request, Errors.SECURITY_DISABLED, DescribeAclsHandler.NO_AUTHORIZER));
            return;
        }
        List<AclBinding> bindings = new ArrayList<>(request.creations().size());
        for (CreateAclsRequest.AclCreation c : request.creations()) {
            bindings.add(new AclBinding(
                    ResourceType.forCode(c.resourceType()),
                    c.resourceName() == null ? "" : c.resourceName(),
                    PatternType.forCode(c.resourcePatternType()),
                    c.principal() == null ? "" : c.principal(),
                    c.host() == null ? "" : c.host(),
                    AclOperation.forCode(c.operation()),
                    AclPermissionType.forCode(c.permissionType())));
        }
        admin.create(bindings).whenComplete((outcomes, failure) -> {
            List<CreateAclsResponse.AclCreationResult> results = new ArrayList<>(bindings.size());
            for (int i = 0; i < bindings.size(); i++) {
                CreateAclsResponse.AclCreationResult r = new CreateAclsResponse.AclCreationResult();
                if (failure != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                            .setErrorMessage("Unknown error while trying to create ACL");
                } else if (outcomes.get(i).error() != Errors.NONE) {
                    r.setErrorCode(outcomes.get(i).error().code)
                            .setErrorMessage(outcomes.get(i).message());
                }
                results.add(r);
            }
            context.respond(new CreateAclsResponse().setResults(results));
        });
    }

    private static CreateAclsResponse failAll(CreateAclsRequest request, Errors error, String message) {
        List<CreateAclsResponse.AclCreationResult> results =
                new ArrayList<>(request.creations().size());
        for (int i = 0; i < request.creations().size(); i++) {
            results.add(new CreateAclsResponse.AclCreationResult()
                    .setErrorCode(error.code)
                    .setErrorMessage(message));
        }
        return new CreateAclsResponse().setResults(results);
    }
}
