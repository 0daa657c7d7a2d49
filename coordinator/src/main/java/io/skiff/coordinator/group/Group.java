package io.skiff.coordinator.group;

import io.skiff.wire.message.ListGroupsResponse;
import java.util.Locale;

/** A group held by a coordinator shard: a classic group or a consumer (KIP-848) group. */
public interface Group {

    /** The kinds of group, as ListGroups names them. */
    enum Type {
        CLASSIC("classic"),
        CONSUMER("consumer");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        /** The type named (case-insensitively) by a ListGroups filter, or null if none. */
        public static Type parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Type t : values()) {
                if (t.label.equals(n)) {
                    return t;
                }
            }
            return null;
        }
    }

    String groupId();

    Type type();

    /** The state as DescribeGroups and ListGroups print it (for example "Stable"). */
    String stateAsString();

    /** Whether the group has no members. */
    boolean isEmpty();

    /** Whether the group's members consume {@code topic} (OffsetDelete refuses such topics). */
    boolean isSubscribedToTopic(String topic);

    /** The ListGroups entry of the group. */
    ListGroupsResponse.ListedGroup asListedGroup();
}
