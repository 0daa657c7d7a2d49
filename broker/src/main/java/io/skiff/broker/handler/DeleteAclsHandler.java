package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.DeleteAclsRequest;
import io.skiff.wire.message.DeleteAclsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteAcls (key 31), versions 1-3. Without an authorizer every filter fails with
 * SECURITY_DISABLED, with the shorter message Apache Kafka gives for deletes.
 */
public final class DeleteAclsHandler extends ApiHandler<DeleteAclsRequest> {
    public DeleteAclsHandler() {
        super(ApiKeys.DELETE_ACLS, 1, 3);
    }

    @Override
    public void handle(RequestContext context, DeleteAclsRequest request) {
        List<DeleteAclsResponse.DeleteAclsFilterResult> results =
                new ArrayList<>(request.filters().size());
        for (int i = 0; i < request.filters().size(); i++) {
            results.add(new DeleteAclsResponse.DeleteAclsFilterResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code)
                    .setErrorMessage("No Authorizer is configured."));
        }
        context.respond(new DeleteAclsResponse().setFilterResults(results));
    }
}
