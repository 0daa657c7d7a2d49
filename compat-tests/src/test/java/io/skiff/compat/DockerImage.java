package io.skiff.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Skiff's Docker image for the tests that run it: its name ({@code -Dskiff.docker.image}, default
 * {@code skiff:test}, what {@code docker/build-image.sh} tags) and whether it can run here. Where no
 * Docker engine answers or the image was not built, {@link #assumeAvailable()} makes the test report
 * itself skipped with the reason, including the line {@code docker/build-image.sh} left in
 * {@code target/docker-image.status}. Stateless.
 */
final class DockerImage {
    static final String NAME = System.getProperty("skiff.docker.image", "skiff:test");
    /** The line Kafka's broker, and Skiff's, logs once it serves clients. */
    static final String RUNNING_LINE = ".*Transitioning from RECOVERY to RUNNING.*";

    private DockerImage() {}

    static void assumeAvailable() {
        String reason = unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
    }

    /** Null when a Docker engine answers and has the image; otherwise why not. */
    static String unavailableReason() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine answers (" + buildStatus() + ")";
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(NAME).exec();
            return null;
        } catch (RuntimeException e) {
            return "the image " + NAME + " is not there: " + e.getMessage() + " (" + buildStatus() + ")";
        }
    }

    private static String buildStatus() {
        Path status = DockerEntrypointCompatTest.REPO.resolve("target/docker-image.status");
        try {
            return "docker/build-image.sh: " + Files.readString(status).trim();
        } catch (IOException e) {
            return "docker/build-image.sh has not run here";
        }
    }
}
