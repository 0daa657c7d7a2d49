package io.skiff.wire.record;

/** Where a batch's timestamps come from: the producer (CreateTime) or the broker (LogAppendTime). */
public enum TimestampType {
    CREATE_TIME("CreateTime"),
    LOG_APPEND_TIME("LogAppendTime");

    /** The spelling used by the message.timestamp.type config. */
    public final String configName;

    TimestampType(String configName) {
        this.configName = configName;
    }

    /** Parses a message.timestamp.type value; throws IllegalArgumentException on anything else. */
    public static TimestampType forConfigName(String name) {
        for (TimestampType t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown timestamp type " + name);
    }
}
