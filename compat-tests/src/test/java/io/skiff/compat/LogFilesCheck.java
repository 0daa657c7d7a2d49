package io.skiff.compat;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.apache.kafka.storage.internals.log.ProducerStateManager;

/**
 * Validates the files of one partition of a stopped broker with Apache Kafka's own tools and
 * readers, and returns what is wrong as text (empty when all is well):
 *
 * <ul>
 *   <li>the log dir's checkpoints ({@code recovery-point-offset-checkpoint},
 *       {@code log-start-offset-checkpoint}, {@code replication-offset-checkpoint}) and the
 *       partition's {@code leader-epoch-checkpoint} parse with kafka-storage's readers, and the
 *       recovery point is not beyond the last whole batch on disk;</li>
 *   <li>each trusted segment (wholly below {@code trustedBelow}: what the broker recorded as
 *       flushed and will not scan again) is dumped by {@code DumpLogSegments}: every batch valid,
 *       offsets contiguous, no invalid bytes at the end; its {@code .index} and {@code .timeindex}
 *       pass {@code --index-sanity-check} and the offset index's entries match the log;</li>
 *   <li>each producer snapshot at or below {@code trustedBelow} parses with Kafka's
 *       {@code ProducerStateManager.readSnapshot}.</li>
 * </ul>
 *
 * <p>A segment file is dumped again only when its size or modification time changed (files below
 * the recovery point do not change), and every file after a clean shutdown; snapshots and
 * checkpoints are checked on every call. Not thread-safe: one
 * test thread.
 */
final class LogFilesCheck {
    private static final String DUMP = "org.apache.kafka.tools.DumpLogSegments";
    private static final int FILES_PER_RUN = 300; // keeps the command line well under the kernel's limit
    private static final Pattern BATCH =
            Pattern.compile("baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+).*?isvalid: (\\w+)");
    private static final Pattern ERROR =
            Pattern.compile("(?m)^.*(Exception|invalid bytes|Mismatches|not in order|Corrupt|isvalid: false|Error).*$");

    private final Path logDir;
    private final TopicPartition tp;
    private final Set<String> dumpedLogs = new HashSet<>(); // name:size:mtime of files already validated
    private int filesChecked;

    LogFilesCheck(Path logDir, TopicPartition tp) {
        this.logDir = logDir;
        this.tp = tp;
    }

    /** Number of files validated so far. */
    int filesChecked() {
        return filesChecked;
    }

    /**
     * True when {@code f} was not validated before as it is now (same size and modification time);
     * after a clean shutdown ({@code Long.MAX_VALUE}) every file is validated again.
     */
    private boolean unchecked(File f, long trustedBelow) {
        String key = f.getName() + ":" + f.length() + ":" + f.lastModified();
        return dumpedLogs.add(key) || trustedBelow == Long.MAX_VALUE;
    }

    /** Validates the files of a stopped broker; {@code Long.MAX_VALUE} trusts every segment (after a clean shutdown). */
    List<String> problems(long trustedBelow) throws Exception {
        List<String> problems = new ArrayList<>();
        File dir = PartitionFiles.partitionDir(logDir, tp.topic(), tp.partition());
        checkCheckpoints(dir, problems);
        TreeMap<Long, File> segments = PartitionFiles.segmentFiles(dir);
        List<String> toDump = new ArrayList<>();
        for (Map.Entry<Long, File> e : segments.entrySet()) {
            Long next = segments.higherKey(e.getKey());
            boolean trusted = trustedBelow == Long.MAX_VALUE || next != null && next <= trustedBelow;
            if (!trusted) {
                continue;
            }
            File log = e.getValue();
            if (unchecked(log, trustedBelow)) {
                toDump.add(log.getPath());
            }
            for (String suffix : List.of(".index", ".timeindex")) {
                File idx = PartitionFiles.sibling(log, suffix);
                if (idx.exists()) {
                    if (unchecked(idx, trustedBelow)) {
                        toDump.add(idx.getPath());
                    }
                } else {
                    problems.add("missing " + idx.getName() + " of a trusted segment");
                }
            }
        }
        for (int i = 0; i < toDump.size(); i += FILES_PER_RUN) {
            dump(toDump.subList(i, Math.min(toDump.size(), i + FILES_PER_RUN)), problems);
        }
        for (Map.Entry<Long, File> s :
                PartitionFiles.filesWithSuffix(dir, ".snapshot").entrySet()) {
            if (s.getKey() <= trustedBelow) {
                try {
                    ProducerStateManager.readSnapshot(s.getValue());
                    filesChecked++;
                } catch (Exception e) {
                    problems.add("producer snapshot " + s.getValue().getName() + " does not parse: " + e);
                }
            }
        }
        return problems;
    }

    private void checkCheckpoints(File dir, List<String> problems) throws Exception {
        for (String name : List.of(
                PartitionFiles.RECOVERY_POINT_CHECKPOINT,
                "log-start-offset-checkpoint",
                "replication-offset-checkpoint")) {
            try {
                Map<TopicPartition, Long> entries =
                        PartitionFiles.readOffsetCheckpoint(logDir.resolve(name).toFile());
                filesChecked++;
                if (name.equals(PartitionFiles.RECOVERY_POINT_CHECKPOINT) && entries.containsKey(tp)) {
                    long onDisk = logEndOnDisk(dir);
                    if (entries.get(tp) > onDisk) {
                        problems.add("recovery point " + entries.get(tp) + " is beyond the last whole batch on disk ("
                                + onDisk + ")");
                    }
                }
            } catch (Exception e) {
                problems.add(name + " does not parse: " + e);
            }
        }
        File epochs = new File(dir, "leader-epoch-checkpoint");
        if (epochs.exists()) {
            try {
                new LeaderEpochCheckpointFile(epochs, new LogDirFailureChannel(1)).read();
                filesChecked++;
            } catch (Exception e) {
                problems.add("leader-epoch-checkpoint does not parse: " + e);
            }
        }
    }

    private static long logEndOnDisk(File dir) throws Exception {
        TreeMap<Long, File> segments = PartitionFiles.segmentFiles(dir);
        long end = 0;
        for (File log : segments.values()) {
            PartitionFiles.Segment s = PartitionFiles.readSegment(log);
            if (s.batches().isEmpty() && s.baseOffset() > end) {
                continue;
            }
            end = s.nextOffset();
        }
        return end;
    }

    /** Dumps the files (one JVM for all: logs, indexes with the sanity check, and index entries against the log). */
    private void dump(List<String> files, List<String> problems) throws Exception {
        String list = String.join(",", files);
        KafkaTool.Result sanity = KafkaTool.run(DUMP, "--index-sanity-check", "--files", list);
        List<String> indexes = new ArrayList<>();
        int sanityChecked = 0;
        for (String f : files) {
            if (f.endsWith(".index")) {
                indexes.add(f);
            }
            if (f.endsWith("index")) {
                sanityChecked++;
            }
        }
        collect("DumpLogSegments --index-sanity-check", sanity, problems);
        // an index without entries (a segment smaller than index.interval.bytes) is reported "is empty."
        int passed = count(sanity.output(), "passed sanity check") + count(sanity.output(), "index is empty.");
        if (passed != sanityChecked) {
            problems.add(sanityChecked + " index files checked but " + passed + " passed the sanity check");
            for (String part : sanity.output().split("Dumping ")) {
                if (part.startsWith("/")
                        && part.contains("index\n")
                        && !part.contains("passed sanity check")
                        && !part.contains("index is empty.")) {
                    problems.add("index sanity check: " + tail(part));
                }
            }
        }
        if (!indexes.isEmpty()) {
            KafkaTool.Result entries = KafkaTool.run(DUMP, "--files", String.join(",", indexes));
            collect("DumpLogSegments (index entries)", entries, problems);
        }
        filesChecked += files.size();
        checkBatchesContiguous(sanity.output(), problems);
    }

    private static void collect(String what, KafkaTool.Result r, List<String> problems) {
        if (r.exitCode() != 0) {
            problems.add(what + " exited with " + r.exitCode() + ": " + tail(r.output()));
        }
        Matcher m = ERROR.matcher(r.output());
        int shown = 0;
        while (m.find() && shown++ < 10) {
            problems.add(what + ": " + m.group());
        }
    }

    private static void checkBatchesContiguous(String output, List<String> problems) {
        // Output of each .log starts at "Dumping <file>.log" followed by "Log starting offset: N"
        for (String part : output.split("Dumping ")) {
            if (!part.startsWith("/") || !part.contains(".log\n")) {
                continue;
            }
            Matcher start = Pattern.compile("Log starting offset: (\\d+)").matcher(part);
            long expected = start.find() ? Long.parseLong(start.group(1)) : -1;
            Matcher b = BATCH.matcher(part);
            while (b.find()) {
                long base = Long.parseLong(b.group(1));
                if (expected >= 0 && base != expected) {
                    problems.add("batch at offset " + base + " follows " + (expected - 1) + " in "
                            + part.substring(0, part.indexOf('\n')));
                }
                expected = Long.parseLong(b.group(2)) + 1;
            }
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }
}
