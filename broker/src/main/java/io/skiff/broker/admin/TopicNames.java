package io.skiff.broker.admin;

/** Apache Kafka's rules for topic names. Stateless. */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;

    private TopicNames() {}

    /** Null if {@code name} is a legal topic name, otherwise why not (Kafka's wording). */
    public static String invalidReason(String name) {
        if (name == null || name.isEmpty()) {
            return "Topic name is illegal, it can't be empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "Topic name cannot be \".\" or \"..\"";
        }
        if (name.length() > MAX_LENGTH) {
            return "Topic name is illegal, it can't be longer than " + MAX_LENGTH + " characters, topic name: " + name;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return "Topic name \"" + name
                        + "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
            }
        }
        return null;
    }

    /** The name with '.' replaced by '_': two topics that map to the same are said to collide. */
    public static String unifyCollisionChars(String name) {
        return name.replace('.', '_');
    }
}
