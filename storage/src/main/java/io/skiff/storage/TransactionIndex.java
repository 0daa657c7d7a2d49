package io.skiff.storage;

import static io.skiff.storage.TxnIndexDescriptor.ENTRY_SIZE;
import static io.skiff.storage.TxnIndexDescriptor.FIRST_OFFSET_OFFSET;
import static io.skiff.storage.TxnIndexDescriptor.LAST_OFFSET_OFFSET;
import static io.skiff.storage.TxnIndexDescriptor.LAST_STABLE_OFFSET_OFFSET;
import static io.skiff.storage.TxnIndexDescriptor.PRODUCER_ID_OFFSET;
import static io.skiff.storage.TxnIndexDescriptor.VERSION;
import static io.skiff.storage.TxnIndexDescriptor.VERSION_OFFSET;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * The aborted-transaction index of one segment ({@code .txnindex}, Kafka's format, see
 * {@link TxnIndexDescriptor}): one entry per transaction aborted by a marker in this segment, in
 * marker order. The file is created with its first entry (most segments never get one, as in
 * Kafka). Reads scan the entries with positional reads; they are rare (read_committed fetches and
 * start-up) and the index small.
 *
 * <p>Threading: appends, truncation, renames and closing are done by the owning log under its
 * lock (or by the loader before the log is shared); reads may run concurrently from any thread and
 * see the entries written before {@link #sizeInBytes} was last published. Holds no buffers beyond
 * one small heap buffer per call.
 */
final class TransactionIndex {
    private volatile File file;
    private volatile FileChannel channel;
    private volatile long sizeInBytes;
    private long lastOffset = -1L;

    TransactionIndex(File file) throws IOException {
        this.file = file;
        if (file.exists()) {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = channel.size();
            // A torn last entry (a crash while appending) is not an entry.
            sizeInBytes = size - size % ENTRY_SIZE;
            AbortedTxn last =
                    sizeInBytes == 0 ? null : readEntry(sizeInBytes - ENTRY_SIZE, ByteBuffer.allocate(ENTRY_SIZE));
            lastOffset = last == null ? -1L : last.lastOffset();
        }
    }

    File file() {
        return file;
    }

    /** Creates the file now when it does not exist yet (empty: no entry). */
    void create() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(
                    file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    long sizeInBytes() {
        return sizeInBytes;
    }

    /** Appends an entry; marker offsets must increase. Caller holds the log's lock. */
    void append(AbortedTxn txn) throws IOException {
        if (txn.lastOffset() <= lastOffset) {
            throw new IllegalArgumentException("The last offset of appended transactions must increase, but "
                    + txn.lastOffset() + " is not above " + lastOffset + " in " + file);
        }
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(
                    file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel = ch;
        }
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        b.putShort(VERSION_OFFSET, VERSION);
        b.putLong(PRODUCER_ID_OFFSET, txn.producerId());
        b.putLong(FIRST_OFFSET_OFFSET, txn.firstOffset());
        b.putLong(LAST_OFFSET_OFFSET, txn.lastOffset());
        b.putLong(LAST_STABLE_OFFSET_OFFSET, txn.lastStableOffset());
        long position = sizeInBytes;
        try {
            while (b.hasRemaining()) {
                ch.write(b, position + b.position());
            }
        } catch (IOException e) {
            try {
                ch.truncate(position);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        lastOffset = txn.lastOffset();
        sizeInBytes = position + ENTRY_SIZE;
    }

    /**
     * Adds to {@code out} every entry that overlaps [{@code fetchOffset}, {@code upperBoundOffset}):
     * its marker at or after the fetch offset and its first offset below the bound. Returns true
     * when the search is complete (an entry's last stable offset reached the bound, so no later
     * segment can hold an overlapping one).
     */
    boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) throws IOException {
        long end = sizeInBytes;
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        for (long at = 0; at + ENTRY_SIZE <= end; at += ENTRY_SIZE) {
            AbortedTxn txn = readEntry(at, b);
            if (txn == null) {
                return false;
            }
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                out.add(txn);
            }
            if (txn.lastStableOffset() >= upperBoundOffset) {
                return true;
            }
        }
        return false;
    }

    /** Every entry, in file order (tests, tools). */
    void forEach(Consumer<AbortedTxn> visitor) throws IOException {
        long end = sizeInBytes;
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        for (long at = 0; at + ENTRY_SIZE <= end; at += ENTRY_SIZE) {
            AbortedTxn txn = readEntry(at, b);
            if (txn != null) {
                visitor.accept(txn);
            }
        }
    }

    private AbortedTxn readEntry(long position, ByteBuffer b) throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            return null;
        }
        b.clear();
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                return null;
            }
        }
        return new AbortedTxn(
                b.getLong(PRODUCER_ID_OFFSET),
                b.getLong(FIRST_OFFSET_OFFSET),
                b.getLong(LAST_OFFSET_OFFSET),
                b.getLong(LAST_STABLE_OFFSET_OFFSET));
    }

    /** Removes the entries whose marker is at or after {@code offset} (the log is truncated there). */
    void truncateTo(long offset) throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            return;
        }
        long end = sizeInBytes;
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        long keep = end;
        long newLast = -1L;
        for (long at = 0; at + ENTRY_SIZE <= end; at += ENTRY_SIZE) {
            AbortedTxn txn = readEntry(at, b);
            if (txn == null || txn.lastOffset() >= offset) {
                keep = at;
                break;
            }
            newLast = txn.lastOffset();
        }
        if (keep < ch.size()) {
            ch.truncate(keep);
        }
        sizeInBytes = keep;
        lastOffset = keep == 0 ? -1L : newLast;
    }

    /** Drops every entry (recovery rebuilds them). */
    void reset() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.truncate(0);
        }
        sizeInBytes = 0;
        lastOffset = -1L;
    }

    void flush() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.force(true);
        }
    }

    /** Renames the file (when it exists); the channel stays open for in-flight reads. */
    void renameTo(File target) throws IOException {
        if (file.exists()) {
            Files.move(file.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    void closeAndDelete() throws IOException {
        close();
        Files.deleteIfExists(file.toPath());
    }
}
