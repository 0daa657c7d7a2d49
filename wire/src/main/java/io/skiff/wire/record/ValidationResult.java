package io.skiff.wire.record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The outcome of {@link BatchValidator#validate}: on success where the batch is and what it
 * holds; on failure the kind of defect ({@link ValidationOutcome}), the message a Produce
 * response carries for it (null where the protocol answer has none), per-record errors, and a
 * diagnostic for logs. Reused across calls (cleared by each); not thread-safe.
 */
public final class ValidationResult {
    ValidationOutcome outcome = ValidationOutcome.VALID;
    String errorMessage;
    String diagnostic;
    List<RecordError> recordErrors;
    int batchOffset;
    int batchSize;
    int recordCount;
    long maxTimestamp;
    boolean recordsChecked;
    boolean requestLevel;

    void clear() {
        outcome = ValidationOutcome.VALID;
        errorMessage = null;
        diagnostic = null;
        recordErrors = null;
        batchOffset = -1;
        batchSize = 0;
        recordCount = 0;
        maxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
        recordsChecked = false;
        requestLevel = false;
    }

    boolean fail(ValidationOutcome outcome, String diagnostic) {
        this.outcome = outcome;
        this.diagnostic = diagnostic;
        return false;
    }

    void addRecordError(int index, String message) {
        if (recordErrors == null) {
            recordErrors = new ArrayList<>(2);
        }
        recordErrors.add(new RecordError(index, message));
    }

    public boolean isValid() {
        return outcome == ValidationOutcome.VALID;
    }

    /** {@link ValidationOutcome#VALID}, or the defect found. */
    public ValidationOutcome outcome() {
        return outcome;
    }

    /** The error message of the Produce response, or null (Kafka sends one only with record errors). */
    public String errorMessage() {
        return errorMessage;
    }

    /** Why validation failed, for logs; null on success. */
    public String diagnostic() {
        return diagnostic;
    }

    /** Rejected records; empty unless the error came from individual records. */
    public List<RecordError> recordErrors() {
        return recordErrors == null ? Collections.emptyList() : recordErrors;
    }

    /** Absolute index of the validated batch in the buffer given to the validator. */
    public int batchOffset() {
        return batchOffset;
    }

    /** Size of the validated batch; bytes after it in the buffer are to be ignored. */
    public int batchSize() {
        return batchSize;
    }

    /** Records found in the batch (its declared count, also for compressed batches). */
    public int recordCount() {
        return recordCount;
    }

    /**
     * The largest record timestamp (CreateTime), or for a compressed batch whose records were
     * not read, the batch's own max timestamp.
     */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * True when the failure is one Kafka finds while checking the request, before the log is
     * involved (framing, magic, batch count): its Produce response then carries log start offset -1.
     */
    public boolean isRequestLevel() {
        return requestLevel;
    }

    /** Whether every record was read (false for a compressed batch without a decompressing source). */
    public boolean recordsChecked() {
        return recordsChecked;
    }

    @Override
    public String toString() {
        return "ValidationResult(" + outcome + (diagnostic == null ? "" : ": " + diagnostic) + ")";
    }
}
