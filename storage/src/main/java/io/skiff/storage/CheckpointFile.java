package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka's text checkpoint files: a version line ("0"), a count line, then one entry per line
 * with space-separated fields. Used for recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint and replication-offset-checkpoint ("topic partition offset") and
 * leader-epoch-checkpoint ("epoch startOffset"). Written atomically (temp file, fsync, rename).
 * Stateless.
 */
final class CheckpointFile {
    static final int VERSION = 0;

    private CheckpointFile() {}

    /** Writes lines of fields under the version and count header. */
    static void write(File file, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(lines.size()).append('\n');
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        LogFiles.writeAtomically(file, sb.toString());
    }

    /** Reads the entry lines, split on whitespace; empty when the file is missing. */
    static List<String[]> read(File file, int fieldsPerLine) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (!file.exists()) {
            return out;
        }
        List<String> lines = Files.readAllLines(file.toPath(), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return out;
        }
        int version;
        int count;
        try {
            version = Integer.parseInt(lines.get(0).trim());
            count = lines.size() > 1 ? Integer.parseInt(lines.get(1).trim()) : 0;
        } catch (NumberFormatException e) {
            throw new IOException("Malformed line in checkpoint file (" + file + "): " + e.getMessage());
        }
        if (version != VERSION) {
            throw new IOException("Unrecognized version of the checkpoint file (" + file + "): " + version);
        }
        for (int i = 2; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != fieldsPerLine) {
                throw new IOException("Malformed line in checkpoint file (" + file + "): '" + line + "'");
            }
            out.add(fields);
        }
        if (out.size() != count) {
            throw new IOException(
                    "Expected " + count + " entries in checkpoint file (" + file + "), but found only " + out.size());
        }
        return out;
    }

    /** Writes a "topic partition offset" checkpoint. */
    static void writeOffsets(File file, Map<TopicPartition, Long> offsets) throws IOException {
        List<String> lines = new ArrayList<>(offsets.size());
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            lines.add(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue());
        }
        write(file, lines);
    }

    /** Reads a "topic partition offset" checkpoint; empty when missing. */
    static Map<TopicPartition, Long> readOffsets(File file) throws IOException {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (String[] f : read(file, 3)) {
            try {
                out.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
            } catch (IllegalArgumentException e) {
                throw new IOException("Malformed line in checkpoint file (" + file + "): " + String.join(" ", f));
            }
        }
        return out;
    }
}
