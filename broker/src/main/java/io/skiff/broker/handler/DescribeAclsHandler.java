package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.DescribeAclsRequest;
import io.skiff.wire.message.DescribeAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;

/**
 * DescribeAcls (key 29), versions 1-3. Skiff has no authorizer yet, so, like Apache Kafka
 * without {@code authorizer.class.name}, it answers SECURITY_DISABLED.
 */
public final class DescribeAclsHandler extends ApiHandler<DescribeAclsRequest> {
    static final String NO_AUTHORIZER = "No Authorizer is configured on the broker";

    public DescribeAclsHandler() {
        super(ApiKeys.DESCRIBE_ACLS, 1, 3);
    }

    @Override
    public void handle(RequestContext context, DescribeAclsRequest request) {
        context.respond(new DescribeAclsResponse()
                .setErrorCode(Errors.SECURITY_DISABLED.code)
                .setErrorMessage(NO_AUTHORIZER));
    }
}
