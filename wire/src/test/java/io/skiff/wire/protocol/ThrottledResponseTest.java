package io.skiff.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.protocol.types.Schema;
import org.junit.jupiter.api.Test;

/**
 * Exactly the response classes whose schema has a top-level throttle_time_ms field implement
 * {@link ThrottledResponse}; which schemas have it is read from kafka-clients' own schemas, not
 * from Skiff's generator.
 */
class ThrottledResponseTest {
    private static boolean kafkaResponseHasThrottleTime(ApiKeys api) {
        Schema[] schemas = org.apache.kafka.common.protocol.ApiKeys.forId(api.id)
                .messageType
                .responseSchemas();
        for (short v = api.lowestVersion; v <= api.highestVersion; v++) {
            Schema schema = v < schemas.length ? schemas[v] : null;
            if (schema != null && schema.get("throttle_time_ms") != null) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyResponseWithThrottleTimeImplementsThrottledResponseAndNoOther() {
        int throttled = 0;
        for (ApiKeys api : ApiKeys.values()) {
            boolean expected = kafkaResponseHasThrottleTime(api);
            assertThat(api.newResponse() instanceof ThrottledResponse)
                    .as("%s response", api)
                    .isEqualTo(expected);
            assertThat(api.newRequest() instanceof ThrottledResponse)
                    .as("%s request", api)
                    .isFalse();
            if (expected) {
                throttled++;
            }
        }
        // Most APIs carry the field; a count near zero would mean the schema lookup found nothing.
        assertThat(throttled).isGreaterThan(ApiKeys.values().length / 2);
    }

    @Test
    void theThrottleTimeSetThroughTheInterfaceIsWrittenWhereTheVersionHasIt() {
        for (ApiKeys api : ApiKeys.values()) {
            if (!(api.newResponse() instanceof ThrottledResponse)) {
                continue;
            }
            Schema[] schemas = org.apache.kafka.common.protocol.ApiKeys.forId(api.id)
                    .messageType
                    .responseSchemas();
            for (short v = api.lowestVersion; v <= api.highestVersion; v++) {
                ThrottledResponse r = (ThrottledResponse) api.newResponse();
                assertThat(r.setThrottleTimeMs(1234)).isSameAs(r);
                assertThat(r.throttleTimeMs()).isEqualTo(1234);
                ByteBuf buf = Unpooled.buffer(r.size(v));
                try {
                    // Never refused: at versions without the field it is ignorable and left out.
                    r.write(buf, v);
                    ThrottledResponse back = (ThrottledResponse) api.newResponse();
                    back.read(buf, v);
                    boolean hasField = schemas[v].get("throttle_time_ms") != null;
                    assertThat(back.throttleTimeMs()).as("%s v%d", api, v).isEqualTo(hasField ? 1234 : 0);
                } finally {
                    buf.release();
                }
            }
        }
    }
}
