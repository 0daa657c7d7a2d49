package io.skiff.broker.network;

/**
 * Records that the network layer can hand to Netty without copying: a file region (sendfile)
 * or a buffer.
 */
public interface NettySendable {
    /** A new object for {@code Channel.write}: a FileRegion or ByteBuf the channel will release. */
    Object newSendable();
}
