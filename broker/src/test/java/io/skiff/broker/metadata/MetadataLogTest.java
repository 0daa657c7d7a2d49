package io.skiff.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata log after a crash (torn tail: cut off) and after damage in the middle (refused). */
class MetadataLogTest {
    @TempDir
    Path dir;

    private List<MetadataRecord> written() {
        List<MetadataRecord> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(new MetadataRecord.TopicCreated(Uuid.random(), "topic-" + i, 3, (short) 1));
        }
        return out;
    }

    /** Writes the records one append each; returns the file position where each frame starts. */
    private long[] write(List<MetadataRecord> records) throws IOException {
        long[] starts = new long[records.size()];
        try (MetadataLog log = MetadataLog.open(dir, new ArrayList<>())) {
            for (int i = 0; i < records.size(); i++) {
                starts[i] = Files.size(dir.resolve(MetadataLog.FILE_NAME));
                log.append(List.of(records.get(i)));
            }
        }
        return starts;
    }

    private List<MetadataRecord> reopen() throws IOException {
        List<MetadataRecord> read = new ArrayList<>();
        try (MetadataLog log = MetadataLog.open(dir, read)) {
            assertThat(log.nextOffset()).isEqualTo(read.size());
        }
        return read;
    }

    private void flip(long position) throws IOException {
        try (RandomAccessFile raf =
                new RandomAccessFile(dir.resolve(MetadataLog.FILE_NAME).toFile(), "rw")) {
            raf.seek(position);
            int b = raf.readByte();
            raf.seek(position);
            raf.write(b ^ 0x20);
        }
    }

    @Test
    void tornLastRecordIsCutOffAndEveryEarlierRecordIsKept() throws Exception {
        List<MetadataRecord> records = written();
        long[] starts = write(records);
        long size = Files.size(dir.resolve(MetadataLog.FILE_NAME));
        try (RandomAccessFile raf =
                new RandomAccessFile(dir.resolve(MetadataLog.FILE_NAME).toFile(), "rw")) {
            raf.setLength(starts[4] + (size - starts[4]) / 2);
        }
        assertThat(reopen()).isEqualTo(records.subList(0, 4));
        assertThat(Files.size(dir.resolve(MetadataLog.FILE_NAME))).isEqualTo(starts[4]);
    }

    @Test
    void bitFlipInTheLastRecordIsCutOffAsATornTail() throws Exception {
        List<MetadataRecord> records = written();
        long[] starts = write(records);
        flip(starts[4] + 10);
        assertThat(reopen()).isEqualTo(records.subList(0, 4));
    }

    @Test
    void zerosAfterTheLastRecordAreCutOff() throws Exception {
        List<MetadataRecord> records = written();
        write(records);
        long size = Files.size(dir.resolve(MetadataLog.FILE_NAME));
        try (RandomAccessFile raf =
                new RandomAccessFile(dir.resolve(MetadataLog.FILE_NAME).toFile(), "rw")) {
            raf.setLength(size + 4096);
        }
        assertThat(reopen()).isEqualTo(records);
        assertThat(Files.size(dir.resolve(MetadataLog.FILE_NAME))).isEqualTo(size);
    }

    @Test
    void bitFlipInAMiddleRecordRefusesToOpenNamingTheFileAndOffset() throws Exception {
        long[] starts = write(written());
        long size = Files.size(dir.resolve(MetadataLog.FILE_NAME));
        flip(starts[2] + 10);
        assertThatThrownBy(this::reopen)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(MetadataLog.FILE_NAME)
                .hasMessageContaining("position " + starts[2])
                .hasMessageContaining("record offset 2")
                .hasMessageContaining("valid record follows at position " + starts[3]);
        assertThat(Files.size(dir.resolve(MetadataLog.FILE_NAME)))
                .as("nothing is truncated")
                .isEqualTo(size);
    }

    @Test
    void damagedLengthOfAMiddleRecordRefusesToOpen() throws Exception {
        long[] starts = write(written());
        flip(starts[1] + 1);
        assertThatThrownBy(this::reopen)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("position " + starts[1])
                .hasMessageContaining("record offset 1");
    }
}
