package io.skiff.broker.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the distinguished name of a client certificate into a principal name, with Apache Kafka's
 * {@code ssl.principal.mapping.rules}: a comma-separated list of {@code DEFAULT} (the name as it is)
 * and {@code RULE:pattern/replacement/} rules, optionally followed by {@code L} or {@code U} to
 * lower- or upper-case the result. The first rule whose pattern matches the whole name wins; a name
 * that no rule matches cannot be mapped and fails the connection's authentication. Immutable and
 * thread-safe.
 */
public final class SslPrincipalMapper {
    private final List<Rule> rules;
    private final String text;

    private SslPrincipalMapper(List<Rule> rules, String text) {
        this.rules = rules;
        this.text = text;
    }

    /**
     * Parses {@code rules}.
     *
     * @throws IllegalArgumentException naming what cannot be parsed
     */
    public static SslPrincipalMapper parse(String rules) {
        String s = rules == null || rules.isBlank() ? "DEFAULT" : rules;
        List<Rule> out = new ArrayList<>();
        int i = skipSpaces(s, 0);
        while (i < s.length()) {
            if (s.startsWith("DEFAULT", i)) {
                out.add(Rule.DEFAULT);
                i += "DEFAULT".length();
            } else if (s.startsWith("RULE:", i)) {
                i += "RULE:".length();
                int patternEnd = unescapedSlash(s, i);
                int replacementEnd = patternEnd < 0 ? -1 : unescapedSlash(s, patternEnd + 1);
                if (replacementEnd < 0) {
                    throw new IllegalArgumentException("Invalid rule: " + s.substring(i));
                }
                String pattern = s.substring(i, patternEnd);
                String replacement = s.substring(patternEnd + 1, replacementEnd);
                i = replacementEnd + 1;
                char caseChange = 0;
                if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'U')) {
                    caseChange = s.charAt(i);
                    i++;
                }
                try {
                    out.add(new Rule(Pattern.compile(pattern), replacement, caseChange));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("Invalid rule pattern " + pattern + ": " + e.getDescription());
                }
            } else {
                throw new IllegalArgumentException("Invalid rule: " + s.substring(i));
            }
            i = skipSpaces(s, i);
            if (i < s.length()) {
                if (s.charAt(i) != ',' && s.charAt(i) != '\n') {
                    throw new IllegalArgumentException("Invalid rule: " + s.substring(i));
                }
                i = skipSpaces(s, i + 1);
            }
        }
        return new SslPrincipalMapper(List.copyOf(out), s);
    }

    /**
     * The principal name of {@code distinguishedName}.
     *
     * @throws IllegalArgumentException when no rule applies
     */
    public String name(String distinguishedName) {
        for (Rule r : rules) {
            String mapped = r.apply(distinguishedName);
            if (mapped != null) {
                return mapped;
            }
        }
        throw new IllegalArgumentException("No rules apply to " + distinguishedName + ", rules " + text);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int unescapedSlash(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '/') {
                return i;
            }
        }
        return -1;
    }

    private record Rule(Pattern pattern, String replacement, char caseChange) {
        static final Rule DEFAULT = new Rule(null, null, (char) 0);

        String apply(String name) {
            if (pattern == null) {
                return name;
            }
            Matcher m = pattern.matcher(name);
            if (!m.matches()) {
                return null;
            }
            String out = m.replaceAll(replacement);
            if (caseChange == 'L') {
                return out.toLowerCase(Locale.ROOT);
            }
            return caseChange == 'U' ? out.toUpperCase(Locale.ROOT) : out;
        }
    }
}
