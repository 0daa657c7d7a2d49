package io.skiff.broker.admin;

/** Apache Kafka's rules for topic names. Stateless. */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;

    private TopicNames() {}

    /** Null if {@code name} is a legal topic name, otherwise why not (Kafka's wording). */
    /** Longest client-supplied value an error message repeats whole. */
    private static final int ECHO_MAX = 300;

    /**
     * {@code value} as an error message repeats it: whole when short, else its start and its
     * length, so that a message about a hostile 32 KB name still fits a response's string field.
     */
    public static String echo(String value) {
        if (value == null || value.length() <= ECHO_MAX) {
            return value;
        }
        return value.substring(0, ECHO_MAX) + "... (" + value.length() + " characters)";
    }

    public static String invalidReason(String name) {
        if (name == null || name.isEmpty()) {
            return "Topic name is illegal, it can't be empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "Topic name cannot be \".\" or \"..\"";
        }
        if (name.length() > MAX_LENGTH) {
            return "Topic name is illegal, it can't be longer than " + MAX_LENGTH + " characters, topic name: "
                    + echo(name);
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
                return "Topic name \"" + echo(name)
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
