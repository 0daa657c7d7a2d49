package io.skiff.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void everyKafkaErrorCodeIsDefinedWithTheSameNameAndRetriability() {
        for (org.apache.kafka.common.protocol.Errors k : org.apache.kafka.common.protocol.Errors.values()) {
            Errors e = Errors.forCode(k.code());
            assertThat(e.code).as("code of %s", k).isEqualTo(k.code());
            assertThat(e.name()).isEqualTo(k.name());
            boolean kafkaRetriable = k.exception() instanceof RetriableException;
            assertThat(e.retriable).as("retriable %s", k).isEqualTo(kafkaRetriable);
        }
        assertThat(Errors.values()).hasSameSizeAs(org.apache.kafka.common.protocol.Errors.values());
    }

    @Test
    void unknownCodesMapToUnknownServerError() {
        assertThat(Errors.forCode(-2)).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(Errors.forCode(32000)).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(Errors.forCode(0)).isEqualTo(Errors.NONE);
    }
}
