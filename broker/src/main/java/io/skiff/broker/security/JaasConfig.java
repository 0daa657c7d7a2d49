package io.skiff.broker.security;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One login module of a JAAS configuration in Kafka's {@code sasl.jaas.config} syntax:
 * {@code <login module class> <flag> key="value" key2=value2;}, values quoted (backslash escapes)
 * or bare. Brokers accept exactly one module per mechanism, as Kafka does. Parse errors never
 * quote the text, which holds passwords. Immutable.
 *
 * @param loginModule the login module's class name
 * @param options     the options in the order given
 */
public record JaasConfig(String loginModule, Map<String, String> options) {
    public JaasConfig {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException saying what is wrong, without the text itself
     */
    public static JaasConfig parse(String text) {
        Parser p = new Parser(text == null ? "" : text);
        String module = p.word();
        if (module.isEmpty()) {
            throw new IllegalArgumentException("no login module");
        }
        String flag = p.word();
        if (!flag.matches("(?i)required|requisite|sufficient|optional")) {
            throw new IllegalArgumentException("login module " + module + " has no valid control flag");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (true) {
            p.spaces();
            if (p.at(';')) {
                p.pos++;
                break;
            }
            if (p.end()) {
                throw new IllegalArgumentException("login module " + module + " is not ended with ';'");
            }
            String key = p.key();
            p.spaces();
            if (!p.at('=')) {
                throw new IllegalArgumentException("option " + key + " of " + module + " has no value");
            }
            p.pos++;
            p.spaces();
            options.put(key, p.value());
        }
        p.spaces();
        if (!p.end()) {
            throw new IllegalArgumentException("more than one login module; a listener's mechanism takes one");
        }
        return new JaasConfig(module, options);
    }

    @Override
    public String toString() {
        return "JaasConfig(" + loginModule + ", options " + options.keySet() + ")";
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        boolean end() {
            return pos >= s.length();
        }

        boolean at(char c) {
            return !end() && s.charAt(pos) == c;
        }

        void spaces() {
            while (!end() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        String word() {
            spaces();
            int start = pos;
            while (!end() && !Character.isWhitespace(s.charAt(pos)) && s.charAt(pos) != ';') {
                pos++;
            }
            return s.substring(start, pos);
        }

        String key() {
            int start = pos;
            while (!end() && !Character.isWhitespace(s.charAt(pos)) && s.charAt(pos) != '=' && s.charAt(pos) != ';') {
                pos++;
            }
            return s.substring(start, pos);
        }

        String value() {
            if (!at('"')) {
                return key();
            }
            pos++;
            StringBuilder out = new StringBuilder();
            while (!end() && s.charAt(pos) != '"') {
                char c = s.charAt(pos++);
                if (c == '\\' && !end()) {
                    c = s.charAt(pos++);
                }
                out.append(c);
            }
            if (end()) {
                throw new IllegalArgumentException("a quoted value is not closed");
            }
            pos++;
            return out.toString();
        }
    }
}
