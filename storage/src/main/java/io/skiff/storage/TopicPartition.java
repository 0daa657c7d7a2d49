package io.skiff.storage;

/** A topic name and partition index, as used to name partition directories ("topic-3"). Immutable. */
public final class TopicPartition {
    private final String topic;
    private final int partition;
    private final int hash;

    public TopicPartition(String topic, int partition) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic must be a non-empty name");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, not " + partition);
        }
        this.topic = topic;
        this.partition = partition;
        this.hash = topic.hashCode() * 31 + partition;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /**
     * Parses a partition directory name "topic-partition"; returns null when the name has no such
     * form (the topic itself may contain '-').
     */
    public static TopicPartition parseDirName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        String number = name.substring(dash + 1);
        for (int i = 0; i < number.length(); i++) {
            if (!Character.isDigit(number.charAt(i))) {
                return null;
            }
        }
        if (number.length() > 9) {
            return null;
        }
        return new TopicPartition(name.substring(0, dash), Integer.parseInt(number));
    }

    /** The partition directory's name: "topic-partition". */
    public String dirName() {
        return topic + "-" + partition;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPartition
                && ((TopicPartition) o).partition == partition
                && ((TopicPartition) o).topic.equals(topic);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return dirName();
    }
}
