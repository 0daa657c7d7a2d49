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
import io.skiff.wire.message.DescribeAclsRequest;
import io.skiff.wire.message.DescribeAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DescribeAcls (key 29), versions 1-3: needs DESCRIBE on the cluster; answers the ACLs that pass
 * the request's filter (every filter form: ANY, MATCH, LITERAL and PREFIXED patterns, null names,
 * principals and hosts), grouped by resource pattern. Without an authorizer, like Apache Kafka
 * without {@code authorizer.class.name}, it answers SECURITY_DISABLED.
 */
public final class DescribeAclsHandler extends ApiHandler<DescribeAclsRequest> {
    static final String NO_AUTHORIZER = "No Authorizer is configured on the broker";

    private final Authorizer authorizer;
    private final AclAdmin admin;

    public DescribeAclsHandler(Authorizer authorizer, AclAdmin admin) {
        super(ApiKeys.DESCRIBE_ACLS, 1, 3);
        this.authorizer = authorizer;
        this.admin = admin;
    }

    /** A resource pattern, the key the answer groups ACLs by. */
    private record Pattern(ResourceType type, String name, PatternType patternType) {}

    @Override
    public void handle(RequestContext context, DescribeAclsRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.DESCRIBE)) {
            context.respond(new DescribeAclsResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message));
            return;
        }
        if (!authorizer.enabled()) {
            context.respond(new DescribeAclsResponse()
                    .setErrorCode(Errors.SECURITY_DISABLED.code)
                    .setErrorMessage(NO_AUTHORIZER));
            return;
        }
        AclBindingFilter filter = new AclBindingFilter(
                ResourceType.forCode(request.resourceTypeFilter()),
                request.resourceNameFilter(),
                PatternType.forCode(request.patternTypeFilter()),
                request.principalFilter(),
                request.hostFilter(),
                AclOperation.forCode(request.operation()),
                AclPermissionType.forCode(request.permissionType()));
        if (filter.isUnknown()) {
            context.respond(new DescribeAclsResponse()
                    .setErrorCode(Errors.INVALID_REQUEST.code)
                    .setErrorMessage("The filter contains UNKNOWN elements"));
            return;
        }
        Map<Pattern, List<DescribeAclsResponse.AclDescription>> byPattern = new LinkedHashMap<>();
        for (AclBinding b : admin.describe(filter)) {
            byPattern
                    .computeIfAbsent(
                            new Pattern(b.resourceType(), b.resourceName(), b.patternType()), k -> new ArrayList<>())
                    .add(new DescribeAclsResponse.AclDescription()
                            .setPrincipal(b.principal())
                            .setHost(b.host())
                            .setOperation(b.operation().code)
                            .setPermissionType(b.permissionType().code));
        }
        List<DescribeAclsResponse.DescribeAclsResource> resources = new ArrayList<>(byPattern.size());
        for (Map.Entry<Pattern, List<DescribeAclsResponse.AclDescription>> e : byPattern.entrySet()) {
            resources.add(new DescribeAclsResponse.DescribeAclsResource()
                    .setResourceType(e.getKey().type().code)
                    .setResourceName(e.getKey().name())
                    .setPatternType(e.getKey().patternType().code)
                    .setAcls(e.getValue()));
        }
        context.respond(new DescribeAclsResponse().setResources(resources));
    }
}
