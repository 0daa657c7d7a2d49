package io.skiff.wire.protocol;

/**
 * Told each error code a message carries ({@link Message#countErrors}), as Apache Kafka's
 * {@code AbstractResponse.errorCounts()} counts them: the top-level code and those of every
 * nested entry (topics, partitions, groups, ...), {@code NONE} included. Implementations decide
 * what to count; the caller allocates nothing. Whether an implementation is thread-safe is its
 * own affair; a message calls it from the thread that asked.
 */
@FunctionalInterface
public interface ErrorCodeSink {
    /** One {@code ErrorCode} field of the message, with its value. */
    void error(short code);
}
