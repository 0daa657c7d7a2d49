package io.skiff.broker.cluster;

import io.skiff.broker.metadata.MetadataQuorum;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the metadata quorum, one on every node: committed log entries (Skiff's
 * encoded {@link MetadataQuorum.Entry} batches) go, in log order, to the {@link MetadataManager}'s
 * {@link MetadataQuorum.Committer}, which accepts or rejects each alike on every node; a snapshot is
 * the committer's {@link MetadataQuorum.State} (the image encoded as records) in one file, so the
 * Ratis log can be purged up to it, and a restart loads the latest snapshot and replays the tail.
 * Read-only queries (catch-up, heartbeats, DescribeQuorum) are answered by {@code queries} on the
 * leader. Ratis calls it from its own threads: applies in order from one thread; the fields it
 * shares are thread-safe.
 */
final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetadataQuorum.Committer committer;
    private final Function<byte[], byte[]> queries;

    MetadataStateMachine(MetadataQuorum.Committer committer, Function<byte[], byte[]> queries) {
        this.committer = committer;
        this.queries = queries;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadLatestSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        MetadataQuorum.State state = MetadataQuorum.State.decode(Files.readAllBytes(file));
        TermIndex at = snapshot.getTermIndex();
        committer.load(new MetadataQuorum.State(state.image(), state.lastChange(), at.getIndex()));
        setLastAppliedTermIndex(at);
        LOG.info(
                "Loaded the metadata snapshot at index {} ({} topics, {} brokers)",
                at.getIndex(),
                state.image().topics().size(),
                state.image().brokers().size());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        MetadataQuorum.Entry decoded;
        try {
            decoded = MetadataQuorum.Entry.decode(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (RuntimeException e) {
            // Not an entry Skiff wrote: skipped alike on every node.
            LOG.error("Skipping unreadable metadata entry at index {}", index, e);
            updateLastAppliedTermIndex(entry.getTerm(), index);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(new byte[] {0})));
        }
        CompletableFuture<Boolean> applied = committer.apply(index, decoded);
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return applied.thenApply(ok -> Message.valueOf(ByteString.copyFrom(new byte[] {(byte) (ok ? 1 : 0)})));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            return CompletableFuture.completedFuture(Message.valueOf(
                    ByteString.copyFrom(queries.apply(request.getContent().toByteArray()))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        MetadataQuorum.State state;
        try {
            state = committer.state();
        } catch (RuntimeException e) {
            // Closing: no new snapshot.
            LOG.info("No metadata snapshot at index {}: {}", last.getIndex(), e.toString());
            SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
            return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        Files.write(tmp, state.encode());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, last));
        LOG.info("Took a metadata snapshot at index {}", last.getIndex());
        return last.getIndex();
    }
}
