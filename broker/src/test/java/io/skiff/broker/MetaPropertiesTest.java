package io.skiff.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaPropertiesTest {
    private static final String CLUSTER_A = "q1Sh-9_ISia_zwGINzRvyQ";
    private static final String CLUSTER_B = "AAAAAAAAAAAAAAAAAAAAAA";

    /** A file as Apache Kafka's storage tool writes it. */
    private static void write(Path dir, String clusterId, int nodeId) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve(MetaProperties.FILE_NAME),
                "#\nnode.id=" + nodeId + "\ndirectory.id=T_1KD8ew9HBmNzW9k8x_SA\nversion=1\ncluster.id=" + clusterId
                        + "\n");
    }

    @Test
    void firstStartGivesEveryDirectoryOneNewClusterIdThatRestartsKeep(@TempDir Path tmp) throws Exception {
        List<Path> dirs = List.of(tmp.resolve("a"), tmp.resolve("b"));
        MetaProperties first = MetaProperties.ensure(dirs, 4);
        assertThat(first.nodeId).isEqualTo(4);
        assertThat(Files.readString(tmp.resolve("b").resolve(MetaProperties.FILE_NAME)))
                .contains("cluster.id=" + first.clusterId)
                .contains("node.id=4");
        MetaProperties again = MetaProperties.ensure(dirs, 4);
        assertThat(again.clusterId).isEqualTo(first.clusterId);
        assertThat(again.directoryId).isEqualTo(first.directoryId);
    }

    @Test
    void aKafkaFormattedDirectoryIsOpenedWithItsIds(@TempDir Path tmp) throws Exception {
        write(tmp, CLUSTER_A, 1);
        MetaProperties m = MetaProperties.ensure(List.of(tmp), 1);
        assertThat(m.clusterId).isEqualTo(CLUSTER_A);
        assertThat(m.directoryId.toString()).isEqualTo("T_1KD8ew9HBmNzW9k8x_SA");
    }

    @Test
    void anEmptyDirectoryJoinsTheClusterOfTheOthers(@TempDir Path tmp) throws Exception {
        write(tmp.resolve("b"), CLUSTER_A, 1);
        MetaProperties m = MetaProperties.ensure(List.of(tmp.resolve("a"), tmp.resolve("b")), 1);
        assertThat(m.clusterId).isEqualTo(CLUSTER_A);
        assertThat(Files.readString(tmp.resolve("a").resolve(MetaProperties.FILE_NAME)))
                .contains("cluster.id=" + CLUSTER_A);
    }

    @Test
    void aDirectoryOfAnotherClusterStopsStartUpNamingBothIdsAndTheDirectory(@TempDir Path tmp) throws Exception {
        write(tmp.resolve("a"), CLUSTER_A, 1);
        write(tmp.resolve("b"), CLUSTER_B, 1);
        List<Path> dirs = List.of(tmp.resolve("a"), tmp.resolve("b"), tmp.resolve("c"));
        assertThatThrownBy(() -> MetaProperties.ensure(dirs, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Log directory " + tmp.resolve("b") + " belongs to cluster " + CLUSTER_B)
                .hasMessageContaining("the cluster metadata (in " + tmp.resolve("a"))
                .hasMessageContaining("belongs to cluster " + CLUSTER_A)
                .hasMessageContaining("remove it from log.dirs");
        assertThat(tmp.resolve("c").resolve(MetaProperties.FILE_NAME)).doesNotExist();
    }

    @Test
    void withoutMetadataDirectoryFileTheOtherDirectoriesMustAgree(@TempDir Path tmp) throws Exception {
        write(tmp.resolve("b"), CLUSTER_A, 1);
        write(tmp.resolve("c"), CLUSTER_B, 1);
        assertThatThrownBy(
                        () -> MetaProperties.ensure(List.of(tmp.resolve("a"), tmp.resolve("b"), tmp.resolve("c")), 1))
                .hasMessageContaining("Log directory " + tmp.resolve("c") + " belongs to cluster " + CLUSTER_B)
                .hasMessageContaining("log directory " + tmp.resolve("b") + " belongs to cluster " + CLUSTER_A);
        assertThat(tmp.resolve("a").resolve(MetaProperties.FILE_NAME)).doesNotExist();
    }

    @Test
    void anotherNodesDirectoryStopsStartUpNamingBothNodeIds(@TempDir Path tmp) throws Exception {
        write(tmp.resolve("a"), CLUSTER_A, 1);
        assertThatThrownBy(() -> MetaProperties.ensure(List.of(tmp.resolve("a")), 2))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Log directory " + tmp.resolve("a") + " belongs to node 1")
                .hasMessageContaining(
                        tmp.resolve("a").resolve(MetaProperties.FILE_NAME).toString())
                .hasMessageContaining("but node.id is 2")
                .hasMessageContaining("set node.id=1");
    }

    @Test
    void aDamagedFileStopsStartUpNamingTheFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve(MetaProperties.FILE_NAME);
        Files.writeString(file, "version=1\nnode.id=1\n");
        assertThatThrownBy(() -> MetaProperties.ensure(List.of(tmp), 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + " lacks cluster.id");
        Files.writeString(file, "version=1\nnode.id=one\ncluster.id=" + CLUSTER_A + "\n");
        assertThatThrownBy(() -> MetaProperties.ensure(List.of(tmp), 1))
                .hasMessageContaining(file + " has node.id=one");
    }

    @Test
    void formatWritesTheClusterIdOnceAndRefusesADirectoryOfAnotherCluster(@TempDir Path tmp) throws Exception {
        List<Path> dirs = List.of(tmp.resolve("a"), tmp.resolve("b"));
        assertThatThrownBy(() -> MetaProperties.ensure(dirs, 2, true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("skiff-server format --cluster-id");
        assertThat(MetaProperties.format(dirs, 2, CLUSTER_A)).isEqualTo(2);
        assertThat(MetaProperties.format(dirs, 2, CLUSTER_A)).isZero();
        assertThat(MetaProperties.ensure(dirs, 2, true).clusterId).isEqualTo(CLUSTER_A);
        assertThatThrownBy(() -> MetaProperties.format(dirs, 2, CLUSTER_B))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("already formatted for cluster " + CLUSTER_A);
        assertThatThrownBy(() -> MetaProperties.format(List.of(tmp.resolve("c")), 2, "not an id"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a valid id");
        assertThat(tmp.resolve("c")).doesNotExist();
    }
}
