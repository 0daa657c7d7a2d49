package io.skiff.storage;

import io.skiff.wire.record.RecordError;
import java.util.Collections;
import java.util.List;

/**
 * The answer to one partition of a Produce request, with the fields its response carries: the
 * {@link AppendOutcome} (which the broker turns into the error code), error message (null where
 * Kafka sends none), record errors, base offset, log append time and log start offset, filled the
 * way Apache Kafka fills them (e.g. -1 offsets and, for a corrupt batch, one above
 * max.message.bytes or one larger than a segment, a -1 log start offset; for an acknowledged
 * duplicate, the original batch's offsets and its timestamp as log append time). Immutable.
 */
public final class AppendResult {
    private final AppendOutcome outcome;
    private final String errorMessage;
    private final String diagnostic;
    private final List<RecordError> recordErrors;
    private final long firstOffset;
    private final long lastOffset;
    private final long logAppendTimeMs;
    private final long logStartOffset;

    AppendResult(
            AppendOutcome outcome,
            String errorMessage,
            String diagnostic,
            List<RecordError> recordErrors,
            long firstOffset,
            long lastOffset,
            long logAppendTimeMs,
            long logStartOffset) {
        this.outcome = outcome;
        this.errorMessage = errorMessage;
        this.diagnostic = diagnostic;
        this.recordErrors = recordErrors == null ? Collections.emptyList() : recordErrors;
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
        this.logAppendTimeMs = logAppendTimeMs;
        this.logStartOffset = logStartOffset;
    }

    static AppendResult failure(
            AppendOutcome outcome,
            String errorMessage,
            String diagnostic,
            List<RecordError> recordErrors,
            long logStartOffset) {
        return new AppendResult(outcome, errorMessage, diagnostic, recordErrors, -1L, -1L, -1L, logStartOffset);
    }

    /** How the append ended. */
    public AppendOutcome outcome() {
        return outcome;
    }

    /** True when the batch is in the log: appended now, or an acknowledged duplicate. */
    public boolean isSuccess() {
        return outcome.isSuccess();
    }

    /** The Produce response's error message, or null. */
    public String errorMessage() {
        return errorMessage;
    }

    /** Why the append failed, for logs (null on success). */
    public String diagnostic() {
        return diagnostic;
    }

    public List<RecordError> recordErrors() {
        return recordErrors;
    }

    /** The base offset of the appended batch (the response's base_offset), -1 on failure. */
    public long firstOffset() {
        return firstOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }

    /** The LogAppendTime given to the batch, -1 for CreateTime topics (a duplicate carries its batch timestamp). */
    public long logAppendTimeMs() {
        return logAppendTimeMs;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /** True when the batch was a retry of one already written (nothing was written now). */
    public boolean isDuplicate() {
        return outcome == AppendOutcome.DUPLICATE;
    }

    @Override
    public String toString() {
        return "AppendResult(" + outcome + ", firstOffset=" + firstOffset + ", lastOffset=" + lastOffset
                + (diagnostic == null ? "" : ", " + diagnostic) + ")";
    }
}
