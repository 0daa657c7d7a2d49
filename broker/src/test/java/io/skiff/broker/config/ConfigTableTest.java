package io.skiff.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigTableTest {
    /** The broker module's README; tests run in the module's directory. */
    private static final Path README = Path.of("README.md");

    /**
     * With {@code -Dskiff.configTable.write=true} the README's table is rewritten first, which is
     * how it is regenerated after a rule changes.
     */
    @Test
    void readmeTableIsWhatTheGeneratorPrints() throws Exception {
        if (Boolean.getBoolean("skiff.configTable.write")) {
            String readme = Files.readString(README, StandardCharsets.UTF_8);
            Files.writeString(README, ConfigTable.withTable(readme, ConfigTable.markdown()), StandardCharsets.UTF_8);
        }
        String table = ConfigTable.tableIn(Files.readString(README, StandardCharsets.UTF_8));
        assertThat(table)
                .as("broker/README.md's key table differs from ConfigPolicy's rules; regenerate it with"
                        + " mvn -o -q -pl broker -am test -Dtest=ConfigTableTest -Dsurefire.failIfNoSpecifiedTests=false"
                        + " -Dskiff.configTable.write=true")
                .isEqualTo(ConfigTable.markdown());
    }

    @Test
    void tableHasOneRowPerRuleAndOneForEveryOtherKey() {
        String table = ConfigTable.markdown();
        long rows = table.lines().count() - 2;
        assertThat(rows).isEqualTo(ConfigPolicy.rules().size() + 1);
        assertThat(table)
                .contains("| `min.insync.replicas` | honoured | live | `1` | refused above 1")
                .contains("| `log.retention.ms` | honoured | live |")
                .contains("| `log.retention.hours` | honoured |  | `168` |")
                .contains("| `ssl.engine.factory.class` | refused | refused |")
                .contains("| `num.io.threads` | ignored | refused | `8` |")
                .endsWith("| any other key | ignored | stored |  | one WARN line naming the key (never its value) |\n");
    }

    @Test
    void rewritingTheReadmeReplacesOnlyTheTable() {
        String readme = "# broker\n\nbefore\n" + ConfigTable.BEGIN + "\nold table\n" + ConfigTable.END + "\nafter\n";
        String rewritten = ConfigTable.withTable(readme, "| new |\n");
        assertThat(rewritten)
                .isEqualTo("# broker\n\nbefore\n" + ConfigTable.BEGIN + "\n| new |\n" + ConfigTable.END + "\nafter\n");
        assertThat(ConfigTable.tableIn(rewritten)).isEqualTo("| new |\n");
    }
}
