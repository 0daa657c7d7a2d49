package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Apache Kafka's own DumpLogSegments reads Skiff's files (runs where the reference tools are installed). */
class DumpLogSegmentsTest {
    private static final File KAFKA_LIB = new File(System.getProperty("user.home"), ".cache/kafka-ref/lib");

    @TempDir
    File root;

    private static String dump(File... files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-cp",
                KAFKA_LIB.getPath() + "/*",
                "org.apache.kafka.tools.DumpLogSegments",
                "--print-data-log",
                "--files"));
        StringBuilder names = new StringBuilder();
        for (File f : files) {
            names.append(names.length() == 0 ? "" : ",").append(f.getPath());
        }
        cmd.add(names.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(120)
    void kafkaReadsOurLogIndexAndTimeIndex() throws Exception {
        assumeTrue(KAFKA_LIB.isDirectory(), "reference Kafka tools not installed");
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.INDEX_INTERVAL_BYTES, "300"));
            long t = fx.clock.milliseconds();
            for (int i = 0; i < 20; i++) {
                fx.append(
                        log, spec().count(3).valueSize(40).timestamp(t + i * 10).idempotent(77L, (short) 0, i * 3));
            }
            log.close();
            File dir = log.dir();
            String out = dump(
                    LogFiles.file(dir, 0, ".log"),
                    LogFiles.file(dir, 0, ".index"),
                    LogFiles.file(dir, 0, ".timeindex"),
                    LogFiles.file(dir, 60, ".snapshot"));

            Matcher batch = Pattern.compile("baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+).*?isvalid: (\\w+)")
                    .matcher(out);
            List<Long> bases = new ArrayList<>();
            while (batch.find()) {
                bases.add(Long.parseLong(batch.group(1)));
                assertThat(Long.parseLong(batch.group(2))).isEqualTo(Long.parseLong(batch.group(1)) + 2);
                assertThat(batch.group(4)).isEqualTo("true");
            }
            List<Long> expected = new ArrayList<>();
            for (long b = 0; b < 60; b += 3) {
                expected.add(b);
            }
            assertThat(bases).isEqualTo(expected);
            Matcher record = Pattern.compile("\\| offset: (\\d+) ").matcher(out);
            int records = 0;
            while (record.find()) {
                records++;
            }
            assertThat(records).isEqualTo(60);
            // index entries: "offset: X position: Y"; every one must be found by Kafka's verification
            Matcher idx =
                    Pattern.compile("(?m)^offset: (\\d+) position: (\\d+)").matcher(out);
            int entries = 0;
            while (idx.find()) {
                entries++;
            }
            assertThat(entries).isGreaterThan(2);
            assertThat(out).doesNotContain("Index offset");
            assertThat(out).doesNotContain("Found timestamp mismatch");
            assertThat(out).doesNotContain("not found in");
            assertThat(out).contains("timestamp: " + (t + 192) + " offset: 59");
            assertThat(out).contains("producerId: 77 producerEpoch: 0");
        }
    }

    @Test
    @Timeout(120)
    void kafkaReadsOurTransactionalBatchesMarkersAndTxnIndex() throws Exception {
        assumeTrue(KAFKA_LIB.isDirectory(), "reference Kafka tools not installed");
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            TxnLogFixture.txn(fx, log, 31L, (short) 2, 0, 3); // 0-2
            TxnLogFixture.txn(fx, log, 32L, (short) 0, 0, 1); // 3
            TxnLogFixture.marker(fx, log, 31L, (short) 2, 7, false); // 4
            TxnLogFixture.marker(fx, log, 32L, (short) 0, 7, true); // 5
            log.close();
            File dir = log.dir();
            String out = dump(LogFiles.file(dir, 0, ".log"), LogFiles.file(dir, 0, ".txnindex"));
            assertThat(out).doesNotContain("Exception");
            Matcher batch = Pattern.compile(
                            "baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+).*?producerId: (\\d+) producerEpoch: (\\d+)"
                                    + ".*?isTransactional: (\\w+).*?isControl: (\\w+).*?isvalid: (\\w+)")
                    .matcher(out);
            List<String> batches = new ArrayList<>();
            while (batch.find()) {
                batches.add(batch.group(1) + "-" + batch.group(2) + " pid " + batch.group(4) + "/" + batch.group(5)
                        + " txn " + batch.group(6) + " control " + batch.group(7) + " valid " + batch.group(8));
            }
            assertThat(batches)
                    .containsExactly(
                            "0-2 pid 31/2 txn true control false valid true",
                            "3-3 pid 32/0 txn true control false valid true",
                            "4-4 pid 31/2 txn true control true valid true",
                            "5-5 pid 32/0 txn true control true valid true");
            assertThat(out).contains("endTxnMarker: ABORT coordinatorEpoch: 7");
            assertThat(out).contains("endTxnMarker: COMMIT coordinatorEpoch: 7");
            assertThat(out)
                    .containsPattern("version: 0 producerId: 31 firstOffset: 0 lastOffset: 4 lastStableOffset: 3");
        }
    }
}
