package io.skiff.storage;

import static io.skiff.storage.TxnLogFixture.marker;
import static io.skiff.storage.TxnLogFixture.txn;
import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aborted-transaction index: Kafka's file format, truncation with the log, deletion with its
 * segment, and the rebuild of it, of open transactions and of the last stable offset by recovery.
 */
class TransactionIndexTest {
    private static final long PID = 9001L;
    private static final long OTHER = 9002L;

    @TempDir
    File root;

    private static List<AbortedTxn> entries(TransactionIndex index) throws Exception {
        List<AbortedTxn> out = new ArrayList<>();
        index.forEach(out::add);
        return out;
    }

    @Test
    void entriesAreKafkas34ByteRecords() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 3); // 0-2
            txn(fx, log, OTHER, (short) 0, 0, 1); // 3
            marker(fx, log, PID, (short) 0, 0, false); // 4
            File file = LogFiles.file(log.dir(), 0, LogFiles.TXN_INDEX_SUFFIX);
            byte[] bytes = Files.readAllBytes(file.toPath());
            assertThat(bytes).hasSize(TxnIndexDescriptor.ENTRY_SIZE).hasSize(34);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            assertThat(b.getShort(0)).isEqualTo((short) 0);
            assertThat(b.getLong(2)).isEqualTo(PID);
            assertThat(b.getLong(10)).isEqualTo(0L);
            assertThat(b.getLong(18)).isEqualTo(4L);
            assertThat(b.getLong(26)).isEqualTo(3L); // OTHER's transaction is still open at 3
        }
    }

    @Test
    void aSegmentWithoutAbortsHasNoTxnIndexFile() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 0, 0, 3);
            marker(fx, log, PID, (short) 0, 0, true);
            assertThat(LogFiles.file(log.dir(), 0, LogFiles.TXN_INDEX_SUFFIX)).doesNotExist();
        }
    }

    @Test
    void truncationRemovesTheEntriesOfMarkersAtOrAfterTheNewEnd() throws Exception {
        File file = new File(root, "00000000000000000000.txnindex");
        TransactionIndex index = new TransactionIndex(file);
        index.append(new AbortedTxn(1, 0, 5, 6));
        index.append(new AbortedTxn(2, 3, 9, 10));
        index.append(new AbortedTxn(1, 11, 14, 15));
        index.truncateTo(9);
        assertThat(entries(index)).containsExactly(new AbortedTxn(1, 0, 5, 6));
        assertThat(file.length()).isEqualTo(34);
        index.append(new AbortedTxn(3, 7, 8, 9)); // a marker after the new end is accepted again
        index.close();
        TransactionIndex reopened = new TransactionIndex(file);
        assertThat(entries(reopened)).containsExactly(new AbortedTxn(1, 0, 5, 6), new AbortedTxn(3, 7, 8, 9));
        reopened.close();
    }

    @Test
    void aTornLastEntryIsIgnored() throws Exception {
        File file = new File(root, "00000000000000000000.txnindex");
        TransactionIndex index = new TransactionIndex(file);
        index.append(new AbortedTxn(1, 0, 5, 6));
        index.close();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.seek(raf.length());
            raf.write(new byte[20]);
        }
        TransactionIndex reopened = new TransactionIndex(file);
        assertThat(entries(reopened)).containsExactly(new AbortedTxn(1, 0, 5, 6));
        reopened.close();
    }

    @Test
    void recoveryRebuildsTheIndexOpenTransactionsAndTheLastStableOffset() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "600"));
            txn(live, log, PID, (short) 0, 0, 2);
            for (int i = 0; i < 8; i++) {
                live.append(log, spec().count(2).valueSize(40)); // rolls a few segments under the open transaction
            }
            marker(live, log, PID, (short) 0, 0, false);
            txn(live, log, OTHER, (short) 1, 0, 2);
            assertThat(log.numberOfSegments()).isGreaterThan(2);
            long otherStart = log.activeProducers().get(1).currentTxnStartOffset();
            assertThat(log.lastStableOffset()).isEqualTo(otherStart);
            List<AbortedTxn> aborted = log.abortedTransactions(0, Long.MAX_VALUE);
            assertThat(aborted).hasSize(1);
            RecoveryTest.crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
            // the crash lost the index (only the log reached the disk)
            for (File f : new File(crashRoot, LogFixture.TP.dirName()).listFiles()) {
                if (f.getName().endsWith(LogFiles.TXN_INDEX_SUFFIX)) {
                    Files.delete(f.toPath());
                }
            }
            try (LogFixture crashed = new LogFixture(crashRoot)) {
                PartitionLog recovered = crashed.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "600"), false, 0L, 0L);
                assertThat(recovered.abortedTransactions(0, Long.MAX_VALUE)).isEqualTo(aborted);
                assertThat(recovered.lastStableOffset()).isEqualTo(otherStart);
                assertThat(recovered.ongoingTransactionCount()).isEqualTo(1);
                // the open transaction goes on and ends after the restart
                assertThat(txn(crashed, recovered, OTHER, (short) 1, 2, 1).outcome())
                        .isEqualTo(AppendOutcome.APPENDED);
                marker(crashed, recovered, OTHER, (short) 1, 0, true);
                assertThat(recovered.lastStableOffset()).isEqualTo(recovered.logEndOffset());
            }
        }
    }

    @Test
    void aTornAbortMarkerIsCutAndItsTransactionIsOpenAgain() throws Exception {
        File liveRoot = new File(root, "live");
        File crashRoot = new File(root, "crash");
        try (LogFixture live = new LogFixture(liveRoot)) {
            PartitionLog log = live.open(LogConfig.DEFAULT);
            txn(live, log, PID, (short) 0, 0, 2);
            marker(live, log, PID, (short) 0, 0, false);
            assertThat(log.abortedTransactions(0, 100)).hasSize(1);
            RecoveryTest.crashImage(live.dir, new File(crashRoot, LogFixture.TP.dirName()));
        }
        File segment = new File(new File(crashRoot, LogFixture.TP.dirName()), "00000000000000000000.log");
        try (RandomAccessFile raf = new RandomAccessFile(segment, "rw")) {
            raf.setLength(raf.length() - 5); // the marker's last bytes never reached the disk
        }
        try (LogFixture crashed = new LogFixture(crashRoot)) {
            PartitionLog recovered = crashed.open(LogConfig.DEFAULT, false, 0L, 0L);
            assertThat(recovered.logEndOffset()).isEqualTo(2);
            assertThat(recovered.abortedTransactions(0, 100)).isEmpty();
            assertThat(LogFiles.file(recovered.dir(), 0, LogFiles.TXN_INDEX_SUFFIX)
                            .length())
                    .isZero();
            assertThat(recovered.lastStableOffset()).isZero();
            assertThat(recovered.ongoingTransactionCount()).isEqualTo(1);
        }
    }

    @Test
    void aCleanRestartKeepsTheOpenTransactionThroughTheSnapshot() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            txn(fx, log, PID, (short) 2, 0, 2); // 0-1
            marker(fx, log, PID, (short) 2, 6, false); // 2
            fx.append(log, spec().count(1)); // 3
            txn(fx, log, PID, (short) 2, 2, 2); // 4-5
            log.close();
            long[] snapshot =
                    ProducerStateManager.readSnapshot(LogFiles.file(log.dir(), 6, LogFiles.SNAPSHOT_SUFFIX))
                            .values()
                            .stream()
                            .mapToLong(ProducerStateEntry::currentTxnFirstOffset)
                            .toArray();
            assertThat(snapshot).containsExactly(4L);
            // the snapshot is the only source: the log after it is empty
            PartitionLog reopened = fx.open(LogConfig.DEFAULT, true, 6L, 0L);
            assertThat(reopened.lastStableOffset()).isEqualTo(4);
            ActiveProducer p = reopened.activeProducers().get(0);
            assertThat(p.currentTxnStartOffset()).isEqualTo(4);
            assertThat(p.coordinatorEpoch()).isEqualTo(6);
            assertThat(p.producerEpoch()).isEqualTo((short) 2);
            assertThat(reopened.abortedTransactions(0, 100)).containsExactly(new AbortedTxn(PID, 0, 2, 3));
            // a stale coordinator is still fenced after the restart
            assertThat(marker(fx, reopened, PID, (short) 2, 5, true).outcome())
                    .isEqualTo(AppendOutcome.TRANSACTION_COORDINATOR_FENCED);
            assertThat(marker(fx, reopened, PID, (short) 2, 6, true).outcome()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(reopened.lastStableOffset()).isEqualTo(7);
        }
    }

    @Test
    void theIndexGoesWithItsSegmentWhenDeleteRecordsRemovesIt() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.SEGMENT_BYTES, "400"));
            txn(fx, log, PID, (short) 0, 0, 1);
            marker(fx, log, PID, (short) 0, 0, false);
            File index = LogFiles.file(log.dir(), 0, LogFiles.TXN_INDEX_SUFFIX);
            assertThat(index).exists();
            while (log.numberOfSegments() < 3) {
                fx.append(log, spec().count(2).valueSize(60));
            }
            long second = log.segmentBaseOffsets()[1];
            assertThat(log.deleteRecordsBefore(second).outcome()).isEqualTo(DeleteRecordsOutcome.SUCCESS);
            assertThat(index).doesNotExist();
            assertThat(new File(log.dir(), index.getName() + LogFiles.DELETED_SUFFIX))
                    .exists();
            assertThat(log.abortedTransactions(0, Long.MAX_VALUE)).isEmpty();
        }
    }
}
