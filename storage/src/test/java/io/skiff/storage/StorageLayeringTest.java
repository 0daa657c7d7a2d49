package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Storage reports its own outcomes and speaks no protocol: no compiled storage class refers to
 * the protocol's {@code Errors} or to a generated request/response message. Checked on the
 * class files' constant pools, where every type a class uses is named.
 */
class StorageLayeringTest {
    private static final String[] FORBIDDEN = {"io/skiff/wire/protocol/Errors", "io/skiff/wire/message/"};

    private static List<Path> storageClassFiles() throws IOException, URISyntaxException {
        Path root = Paths.get(PartitionLog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(root.resolve("io/skiff/storage"))) {
            List<Path> out = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".class")).forEach(out::add);
            return out;
        }
    }

    @Test
    void noStorageClassRefersToProtocolErrorsOrMessages() throws Exception {
        List<Path> classes = storageClassFiles();
        assertThat(classes).extracting(p -> p.getFileName().toString()).contains("PartitionLog.class",
            "AppendOutcome.class");
        List<String> offenders = new ArrayList<>();
        for (Path p : classes) {
            String constants = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            for (String forbidden : FORBIDDEN) {
                if (constants.contains(forbidden)) {
                    offenders.add(p.getFileName() + " -> " + forbidden);
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void theScanSeesTheTypesAClassUses() throws Exception {
        Path partitionLog = storageClassFiles().stream()
            .filter(p -> p.getFileName().toString().equals("PartitionLog.class")).findFirst().orElseThrow();
        String constants = new String(Files.readAllBytes(partitionLog), StandardCharsets.ISO_8859_1);
        assertThat(constants).contains("io/skiff/wire/record/BatchValidator");
    }
}
