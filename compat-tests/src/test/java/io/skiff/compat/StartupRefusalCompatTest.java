package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The broker as a process given settings it cannot honour: it exits with status 1 and says which
 * key and why (never a secret's value), before writing anything to its log directory; harmless
 * unknown keys only get a WARN line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupRefusalCompatTest {
    private static final String AUTHORIZER = "com.example.CustomAuthorizer";

    @Test
    void anAuthorizerPlugInStopsStartUpNamingTheKeyAndWhy(@TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir).with("authorizer.class.name", AUTHORIZER)) {
            assertThat(broker.startExpectingExit()).isEqualTo(1);
            assertThat(broker.output())
                    .contains("Cannot start: Invalid value " + AUTHORIZER + " for configuration authorizer.class.name:")
                    .contains("Skiff cannot load authorizer plug-ins")
                    .contains("remove the key");
            assertThat(dir.resolve("meta.properties")).doesNotExist();
        }
    }

    @Test
    void aRefusedSecretIsNamedButItsValueIsNeverPrinted(@TempDir Path dir) throws Exception {
        // no control flag: the JAAS configuration of PLAIN cannot be parsed
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule user_admin=\"hunter2\";";
        String key = "listener.name.sasl_plaintext.plain.sasl.jaas.config";
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("listeners", "SASL_PLAINTEXT://127.0.0.1:0")
                .with("sasl.enabled.mechanisms", "PLAIN")
                .with(key, jaas)) {
            assertThat(broker.startExpectingExit()).isEqualTo(1);
            assertThat(broker.output())
                    .contains("Cannot start: Invalid value [hidden] for configuration " + key + ":")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void harmlessUnknownKeysStillStartWithAWarningThatOmitsTheirValues(@TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("background.threads", "2")
                .with("num.io.threads", "8")
                .with("my.plugin.password", "hunter2")) {
            broker.start();
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("after-warnings", 1, (short) 1)))
                        .all()
                        .get();
                assertThat(admin.listTopics().names().get()).contains("after-warnings");
            }
            assertThat(broker.stop()).isIn(0, 143);
            assertThat(broker.output())
                    .contains("WARN")
                    .contains("Ignoring configuration background.threads:")
                    .contains("Ignoring configuration num.io.threads:")
                    .contains("Ignoring unknown configuration my.plugin.password")
                    .doesNotContain("hunter2");
        }
    }
}
