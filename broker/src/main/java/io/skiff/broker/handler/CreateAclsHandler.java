package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.CreateAclsRequest;
import io.skiff.wire.message.CreateAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * CreateAcls (key 30), versions 1-3. Without an authorizer every creation fails with
 * SECURITY_DISABLED, as in Apache Kafka.
 */
public final class CreateAclsHandler extends ApiHandler<CreateAclsRequest> {
    public CreateAclsHandler() {
        super(ApiKeys.CREATE_ACLS, 1, 3);
    }

    @Override
    public void handle(RequestContext context, CreateAclsRequest request) {
        List<CreateAclsResponse.AclCreationResult> results =
                new ArrayList<>(request.creations().size());
        for (int i = 0; i < request.creations().size(); i++) {
            results.add(new CreateAclsResponse.AclCreationResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code)
                    .setErrorMessage(DescribeAclsHandler.NO_AUTHORIZER));
        }
        context.respond(new CreateAclsResponse().setResults(results));
    }
}
