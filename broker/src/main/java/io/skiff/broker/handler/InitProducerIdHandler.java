package io.skiff.broker.handler;

import io.skiff.broker.admin.ProducerIdManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.InitProducerIdRequest;
import io.skiff.wire.message.InitProducerIdResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;

/**
 * InitProducerId (key 22), versions 0-5, for idempotent producers: a new producer id at epoch
 * 0 for every request without a transactional id, as Apache Kafka does. Transactional
 * producers are not served yet (they first need a transaction coordinator) and get
 * COORDINATOR_NOT_AVAILABLE.
 */
public final class InitProducerIdHandler extends ApiHandler<InitProducerIdRequest> {
    private final ProducerIdManager producerIds;

    public InitProducerIdHandler(ProducerIdManager producerIds) {
        super(ApiKeys.INIT_PRODUCER_ID, 0, 5);
        this.producerIds = producerIds;
    }

    @Override
    public void handle(RequestContext context, InitProducerIdRequest request) {
        if (request.transactionalId() != null) {
            context.respond(new InitProducerIdResponse()
                    .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code)
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
            return;
        }
        producerIds.nextId().whenComplete((id, error) -> {
            if (error != null) {
                context.respond(new InitProducerIdResponse()
                        .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code)
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1));
            } else {
                context.respond(new InitProducerIdResponse()
                        .setErrorCode(Errors.NONE.code)
                        .setProducerId(id)
                        .setProducerEpoch((short) 0));
            }
        });
    }
}
