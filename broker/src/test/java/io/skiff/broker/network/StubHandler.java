package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Test support: a handler of any API that answers each request with a response made by a
 * function, or (when {@link #hold} is set) keeps the request for the test to complete. Requests
 * are kept by their context only; their bodies are released when they complete. Used on one
 * thread.
 */
final class StubHandler extends ApiHandler<ApiMessage> {
    final List<RequestContext> seen = new ArrayList<>();
    final List<RequestContext> held = new ArrayList<>();
    private final Function<RequestContext, ApiMessage> answer;
    boolean hold;

    StubHandler(ApiKeys api, int minVersion, int maxVersion, Function<RequestContext, ApiMessage> answer) {
        super(api, minVersion, maxVersion);
        this.answer = answer;
    }

    /** Answers with the API's response with default fields. */
    static StubHandler defaults(ApiKeys api, int minVersion, int maxVersion) {
        return new StubHandler(api, minVersion, maxVersion, rc -> rc.api.newResponse());
    }

    @Override
    public void handle(RequestContext context, ApiMessage request) {
        seen.add(context);
        if (hold) {
            held.add(context);
            return;
        }
        ApiMessage response = answer.apply(context);
        if (response == null) {
            context.closeConnection();
        } else {
            context.respond(response);
        }
    }

    /** Completes the {@code i}-th held request with the handler's answer. */
    void release(int i) {
        RequestContext rc = held.get(i);
        rc.respond(answer.apply(rc));
    }
}
