package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker as a process: clean shutdown on SIGTERM, and metadata that survives SIGKILL. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessLifecycleCompatTest {
    @Test
    void sigtermShutsDownCleanlyAndSigkillLosesNoMetadata(@TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)) {
            broker.start();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic("before-kill", 3, (short) 1)))
                        .all()
                        .get();
            }
            broker.kill();
            broker.start();
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get()).contains("before-kill");
                assertThat(admin.describeTopics(List.of("before-kill"))
                                .allTopicNames()
                                .get()
                                .get("before-kill")
                                .partitions())
                        .hasSize(3);
            }
            int status = broker.stop();
            // The JVM reports 143 (128 + SIGTERM) after running its shutdown hook.
            assertThat(status).isIn(0, 143);
            String log = Files.readString(dir.resolve("broker.out"));
            assertThat(log).contains("shutting down").contains("stopped");
        }
    }

    private static Admin admin(SkiffProcess broker) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }
}
