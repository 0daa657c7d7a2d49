package io.skiff.broker.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A region of a segment file sent with sendfile. It is a {@link DefaultFileRegion} so that the
 * native transports recognise it and use sendfile(2), but releasing it does not close the
 * file: the segment owns its channel and closes it only after the segment is deleted and
 * {@code file.delete.delay.ms} has passed.
 */
final class SegmentFileRegion extends DefaultFileRegion {
    SegmentFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the segment.
    }
}
