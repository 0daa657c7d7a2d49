package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclAdmin;
import io.skiff.broker.security.authz.AclBinding;
import io.skiff.broker.security.authz.AclBindingFilter;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.AclPermissionType;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.PatternType;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.DeleteAclsRequest;
import io.skiff.wire.message.DeleteAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteAcls (key 31), versions 1-3: needs ALTER on the cluster; removes every ACL that passes one
 * of the filters, answering per filter the ACLs it removed. Without an authorizer every filter
 * fails with SECURITY_DISABLED, with the shorter message Apache Kafka gives for deletes.
 */
public final class DeleteAclsHandler extends ApiHandler<DeleteAclsRequest> {
    private final Authorizer authorizer;
    private final AclAdmin admin;

    public DeleteAclsHandler(Authorizer authorizer, AclAdmin admin) {
        super(ApiKeys.DELETE_ACLS, 1, 3);
        this.authorizer = authorizer;
        this.admin = admin;
    }

    @Override
    public void handle(RequestContext context, DeleteAclsRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.ALTER)) {
            context.respond(
                    failAll(request, Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED.message));
            return;
        }
        if (!authorizer.enabled()) {
            context.respond(failAll(request, Errors.SECURITY_DISABLED, "No Authorizer is configured."));
            return;
        }
        List<AclBindingFilter> filters = new ArrayList<>(request.filters().size());
        for (DeleteAclsRequest.DeleteAclsFilter f : request.filters()) {
            filters.add(new AclBindingFilter(
                    ResourceType.forCode(f.resourceTypeFilter()),
                    f.resourceNameFilter(),
                    PatternType.forCode(f.patternTypeFilter()),
                    f.principalFilter(),
                    f.hostFilter(),
                    AclOperation.forCode(f.operation()),
                    AclPermissionType.forCode(f.permissionType())));
        }
        admin.delete(filters).whenComplete((outcomes, failure) -> {
            List<DeleteAclsResponse.DeleteAclsFilterResult> results = new ArrayList<>(filters.size());
            for (int i = 0; i < filters.size(); i++) {
                DeleteAclsResponse.DeleteAclsFilterResult r = new DeleteAclsResponse.DeleteAclsFilterResult();
                if (failure != null) {
                    r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code).setErrorMessage("Failed to delete ACLs");
                } else if (outcomes.get(i).error() != Errors.NONE) {
                    r.setErrorCode(outcomes.get(i).error().code)
                            .setErrorMessage(outcomes.get(i).message());
                } else {
                    List<DeleteAclsResponse.DeleteAclsMatchingAcl> matching = new ArrayList<>();
                    for (AclBinding b : outcomes.get(i).deleted()) {
                        matching.add(new DeleteAclsResponse.DeleteAclsMatchingAcl()
                                .setResourceType(b.resourceType().code)
                                .setResourceName(b.resourceName())
                                .setPatternType(b.patternType().code)
                                .setPrincipal(b.principal())
                                .setHost(b.host())
                                .setOperation(b.operation().code)
                                .setPermissionType(b.permissionType().code));
                    }
                    r.setMatchingAcls(matching);
                }
                results.add(r);
            }
            context.respond(new DeleteAclsResponse().setFilterResults(results));
        });
    }

    private static DeleteAclsResponse failAll(DeleteAclsRequest request, Errors error, String message) {
        List<DeleteAclsResponse.DeleteAclsFilterResult> results =
                new ArrayList<>(request.filters().size());
        for (int i = 0; i < request.filters().size(); i++) {
            results.add(new DeleteAclsResponse.DeleteAclsFilterResult()
                    .setErrorCode(error.code)
                    .setErrorMessage(message));
        }
        return new DeleteAclsResponse().setFilterResults(results);
    }
}
