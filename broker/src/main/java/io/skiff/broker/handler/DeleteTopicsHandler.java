package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.DeleteTopicsRequest;
import io.skiff.wire.message.DeleteTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteTopics (key 20), versions 1-6: by name, or (v6) by name or topic id. The metadata
 * change is durable when the answer leaves; the partitions' files are removed in the
 * background.
 */
public final class DeleteTopicsHandler extends ApiHandler<DeleteTopicsRequest> {
    private final TopicAdmin admin;

    public DeleteTopicsHandler(TopicAdmin admin) {
        super(ApiKeys.DELETE_TOPICS, 1, 6);
        this.admin = admin;
    }

    @Override
    public void handle(RequestContext context, DeleteTopicsRequest request) {
        List<TopicAdmin.TopicRef> refs = new ArrayList<>();
        if (context.apiVersion >= 6) {
            for (DeleteTopicsRequest.DeleteTopicState t : request.topics()) {
                refs.add(new TopicAdmin.TopicRef(t.name(), t.topicId()));
            }
        } else {
            for (String name : request.topicNames()) {
                refs.add(new TopicAdmin.TopicRef(name, null));
            }
        }
        admin.delete(refs).whenComplete((deleted, error) -> {
            List<DeleteTopicsResponse.DeletableTopicResult> results = new ArrayList<>(refs.size());
            for (int i = 0; i < refs.size(); i++) {
                DeleteTopicsResponse.DeletableTopicResult r = new DeleteTopicsResponse.DeletableTopicResult();
                if (error != null) {
                    r.setName(refs.get(i).name())
                            .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                            .setErrorMessage(error.getMessage());
                } else {
                    TopicAdmin.Deleted d = deleted.get(i);
                    r.setName(d.name() != null ? d.name() : refs.get(i).name())
                            .setTopicId(d.id())
                            .setErrorCode(d.error().code)
                            .setErrorMessage(d.message());
                }
                results.add(r);
            }
            context.respond(new DeleteTopicsResponse().setResponses(results));
        });
    }
}
