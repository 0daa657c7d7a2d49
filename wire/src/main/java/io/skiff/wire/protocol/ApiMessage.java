package io.skiff.wire.protocol;

/** A request or response body: a {@link Message} that belongs to an API key. */
public interface ApiMessage extends Message {
    short apiKey();
}
