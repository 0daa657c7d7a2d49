package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiVersionsCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @Test
    void adminClientNegotiatesApiVersionsAndReadsFeatures() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            FeatureMetadata features =
                    admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
            assertThat(features.finalizedFeatures().get("metadata.version").maxVersionLevel())
                    .isEqualTo((short) 30);
            assertThat(features.supportedFeatures()).containsKeys("group.version", "transaction.version");
            assertThat(features.finalizedFeaturesEpoch()).isPresent();
        }
    }

    @Test
    void everyVersionOfApiVersionsIsAnsweredWithTheHandlerList() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            for (short v = 0; v <= 4; v++) {
                ApiVersionsRequestData req = new ApiVersionsRequestData();
                if (v >= 3) {
                    req.setClientSoftwareName("skiff-compat").setClientSoftwareVersion("1.0");
                }
                int corr = c.send(ApiKeys.API_VERSIONS, v, req);
                ApiVersionsResponseData resp =
                        new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(corr, (short) 0)), v);
                assertThat(resp.errorCode()).isEqualTo(Errors.NONE.code());
                Map<Short, String> advertised = new TreeMap<>();
                resp.apiKeys().forEach(k -> advertised.put(k.apiKey(), k.minVersion() + "-" + k.maxVersion()));
                Map<Short, String> handlers = new TreeMap<>();
                BROKER.broker()
                        .apiHandlers()
                        .forEach(h -> handlers.put(
                                h.api().id,
                                h.advertisedMinVersion() + "-"
                                        + Math.min(h.maxVersion(), h.api().highestStableVersion())));
                assertThat(advertised).as("ApiVersions v%d", v).isEqualTo(handlers);
                assertThat(advertised).containsEntry((short) 18, "0-4");
                if (v >= 3) {
                    assertThat(resp.finalizedFeaturesEpoch()).isGreaterThanOrEqualTo(0);
                    assertThat(resp.finalizedFeatures()
                                    .find("transaction.version")
                                    .maxVersionLevel())
                            .isEqualTo((short) 2);
                    // Version 3 cannot carry features whose minimum is 0; version 4 carries all of them.
                    assertThat(resp.supportedFeatures()).hasSize(v == 3 ? 1 : 7);
                    assertThat(resp.supportedFeatures().find("metadata.version").minVersion())
                            .isEqualTo((short) 7);
                }
            }
        }
    }

    @Test
    void anApiVersionsVersionTheBrokerDoesNotKnowGetsTheVersionZeroErrorAnswer() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            // ApiVersions v99, header v2: key, version, correlation id, client id, no tagged fields; empty body.
            ByteBuffer frame = ByteBuffer.allocate(4 + 15);
            frame.putInt(15)
                    .putShort((short) 18)
                    .putShort((short) 99)
                    .putInt(77)
                    .putShort((short) 4)
                    .put("test".getBytes())
                    .put((byte) 0);
            c.sendRaw(frame.array());
            ApiVersionsResponseData resp =
                    new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(77, (short) 0)), (short) 0);
            assertThat(resp.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(resp.apiKeys()).hasSize(1);
            ApiVersionsResponseData.ApiVersion only = resp.apiKeys().iterator().next();
            assertThat(only.apiKey()).isEqualTo((short) 18);
            assertThat(only.minVersion()).isEqualTo((short) 0);
            assertThat(only.maxVersion()).isEqualTo((short) 4);
            // The connection stays usable.
            int corr = c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 4,
                    new ApiVersionsRequestData()
                            .setClientSoftwareName("skiff-compat")
                            .setClientSoftwareVersion("1.0"));
            assertThat(new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(corr, (short) 0)), (short) 4)
                            .errorCode())
                    .isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void malformedClientSoftwareNameGetsInvalidRequest() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("!!bad").setClientSoftwareVersion("1.0"));
            ApiVersionsResponseData resp =
                    new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(corr, (short) 0)), (short) 3);
            assertThat(resp.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(resp.apiKeys()).isEmpty();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int[] ids = new int[20];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.send(
                        ApiKeys.API_VERSIONS,
                        (short) (i % 5),
                        i % 5 >= 3
                                ? new ApiVersionsRequestData()
                                        .setClientSoftwareName("a")
                                        .setClientSoftwareVersion("1")
                                : new ApiVersionsRequestData());
            }
            for (int id : ids) {
                assertThat(c.receive(id, (short) 0).remaining()).isPositive();
            }
        }
    }
}
