package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.skiff.wire.generator.Schema.MessageSpec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol fuzzer against a broker process (Netty's leak detector at paranoid): every API
 * key and every version of the request schemas, valid and mutated ({@link ProtocolFuzzer}),
 * from four connections at once, with the checks of {@link FuzzCampaign} after every batch and
 * a clean shutdown with every file of the health topic validated at the end.
 * {@code -Dskiff.fuzz.requests} (5,000 by default, the quick campaign of {@code mvn test}) and
 * {@code -Dskiff.fuzz.seed} (1 by default) set the campaign; {@code fuzz-campaign.sh} runs a long one.
 */
class ProtocolFuzzCompatTest {
    /** The campaign's length in {@code mvn test}; fuzz-campaign.sh runs a long one. */
    private static final long QUICK_CAMPAIGN = 5_000;

    @TempDir
    Path dir;

    @Test
    void schemasCoverEveryApiKeyWithAVersion() throws Exception {
        Set<Integer> keys = new HashSet<>();
        for (MessageSpec spec : RequestSchemas.load()) {
            keys.add(spec.apiKey);
        }
        for (ApiKeys api : ApiKeys.values()) {
            if (!api.allVersions().isEmpty()) {
                assertThat(keys).as(api.name()).contains((int) api.id);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws Exception {
        ProtocolFuzzer fuzzer = new ProtocolFuzzer(RequestSchemas.load(), List.of(new byte[16]));
        for (long s = 0; s < 2_000; s++) {
            assertThat(fuzzer.generate(s).frame()).isEqualTo(fuzzer.generate(s).frame());
        }
    }

    @Test
    void brokerSurvivesFuzzedRequestsOnEveryApi() throws Exception {
        long requests = Long.getLong("skiff.fuzz.requests", QUICK_CAMPAIGN);
        // a minute per 20,000 requests at least, as long campaigns are slower on a loaded machine
        Duration limit = Duration.ofMinutes(Math.max(5, requests / 20_000));
        assertTimeoutPreemptively(limit, () -> campaign(requests));
    }

    private void campaign(long requests) throws Exception {
        long seed = Long.getLong("skiff.fuzz.seed", 1);
        int connections = Integer.getInteger("skiff.fuzz.connections", 4);
        Path logDir = dir.resolve("data");
        Files.createDirectories(logDir);
        try (SkiffProcess broker = new SkiffProcess(logDir)
                .jvmOption("-Dio.netty.leakDetection.level=paranoid")
                .jvmOption("-Dio.netty.leakDetection.targetRecords=4")
                .outputTo(dir.resolve("broker.out"))) {
            broker.start();
            List<byte[]> topicIds = createTopics(broker.bootstrapServers());
            ProtocolFuzzer fuzzer = new ProtocolFuzzer(RequestSchemas.load(), topicIds);
            FuzzCampaign campaign = new FuzzCampaign(broker, logDir, fuzzer, seed, connections);
            String summary = campaign.run(requests, Integer.getInteger("skiff.fuzz.batch", 1_000), 20);
            System.out.println("fuzz campaign seed " + seed + ": " + summary);
            // The JVM reports 143 (128 + SIGTERM) after running its shutdown hook.
            assertThat(broker.stop()).as("exit status after SIGTERM").isIn(0, 143);
            assertThat(broker.output()).doesNotContain("LEAK:");
            List<String> problems =
                    new LogFilesCheck(logDir, new TopicPartition(BrokerHealth.TOPIC, 0)).problems(Long.MAX_VALUE);
            assertThat(problems).as("files of " + BrokerHealth.TOPIC).isEmpty();
        }
    }

    private static List<byte[]> createTopics(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(
                            new NewTopic(BrokerHealth.TOPIC, 1, (short) 1).configs(Map.of("segment.bytes", "16384")),
                            new NewTopic(FuzzValues.TOPICS[0], 3, (short) 1),
                            new NewTopic(FuzzValues.TOPICS[1], 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            List<byte[]> ids = new ArrayList<>();
            for (TopicDescription d : admin.describeTopics(List.of(FuzzValues.TOPICS[0], FuzzValues.TOPICS[1]))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .values()) {
                Uuid id = d.topicId();
                ids.add(ByteBuffer.allocate(16)
                        .putLong(id.getMostSignificantBits())
                        .putLong(id.getLeastSignificantBits())
                        .array());
            }
            return ids;
        }
    }
}
