package io.skiff.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void everyKafkaApiWithVersionsIsDefinedWithTheSameRangeAndHeaders() {
        int compared = 0;
        for (org.apache.kafka.common.protocol.ApiKeys k : org.apache.kafka.common.protocol.ApiKeys.values()) {
            if (k.latestVersion(true) < 0) {
                assertThat(ApiKeys.forId(k.id)).as("%s has no versions left", k).isNull();
                continue;
            }
            ApiKeys s = ApiKeys.forId(k.id);
            assertThat(s).as("api %s", k).isNotNull();
            assertThat(s.title).isEqualTo(k.name);
            assertThat(s.lowestVersion).isEqualTo(k.messageType.lowestSupportedVersion());
            assertThat(s.highestVersion).isEqualTo(k.latestVersion(true));
            assertThat(s.highestStableVersion()).as("stable %s", k).isEqualTo(k.latestVersion(false));
            for (short v = s.lowestVersion; v <= s.highestVersion; v++) {
                assertThat(s.requestHeaderVersion(v))
                        .as("%s v%d request header", k, v)
                        .isEqualTo(k.requestHeaderVersion(v));
                assertThat(s.responseHeaderVersion(v))
                        .as("%s v%d response header", k, v)
                        .isEqualTo(k.responseHeaderVersion(v));
            }
            assertThat(s.newRequest().apiKey()).isEqualTo(k.id);
            assertThat(s.newResponse().apiKey()).isEqualTo(k.id);
            compared++;
        }
        assertThat(compared).isEqualTo(ApiKeys.values().length);
    }

    @Test
    void forIdAnswersNullOutsideTheProtocol() {
        assertThat(ApiKeys.forId(-1)).isNull();
        assertThat(ApiKeys.forId(999)).isNull();
        assertThat(ApiKeys.forId(18)).isEqualTo(ApiKeys.API_VERSIONS);
    }
}
