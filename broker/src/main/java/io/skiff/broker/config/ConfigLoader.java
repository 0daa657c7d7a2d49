package io.skiff.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Gathers the broker's properties from their three sources, each overriding the one before:
 * the properties file, {@code KAFKA_*} environment variables (mapped as the official Apache
 * Kafka Docker image maps them), and {@code --override key=value} arguments.
 */
public final class ConfigLoader {
    /** Variables the Kafka scripts use for the JVM, not broker properties. */
    private static final Set<String> NOT_PROPERTIES = Set.of(
            "KAFKA_HEAP_OPTS",
            "KAFKA_JVM_PERFORMANCE_OPTS",
            "KAFKA_OPTS",
            "KAFKA_LOG4J_OPTS",
            "KAFKA_JMX_OPTS",
            "KAFKA_GC_LOG_OPTS",
            "KAFKA_LOG4J_LOGGERS",
            "KAFKA_LOG4J_ROOT_LOGLEVEL",
            "KAFKA_TOOLS_LOG4J_LOGLEVEL",
            "KAFKA_DEBUG",
            "KAFKA_VERSION",
            "KAFKA_HOME",
            "KAFKA_JMX_PORT",
            "KAFKA_JMX_HOSTNAME",
            "KAFKA_CLUSTER_ID");

    private ConfigLoader() {}

    /** The result of reading the command line: the properties and where the file came from. */
    public static final class Loaded {
        public final Map<String, String> properties;
        public final Path file;

        Loaded(Map<String, String> properties, Path file) {
            this.properties = properties;
            this.file = file;
        }
    }

    /**
     * Reads {@code [server.properties] [--override k=v ...]} plus the environment.
     *
     * @throws ConfigException for a malformed argument or an unreadable file
     */
    public static Loaded load(String[] args, Map<String, String> env) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--override")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("--override needs key=value");
                }
                putKeyValue(overrides, args[++i]);
            } else if (a.startsWith("--override=")) {
                putKeyValue(overrides, a.substring("--override=".length()));
            } else if (a.startsWith("-")) {
                throw new ConfigException(
                        "Unknown option " + a + "; usage: skiff-server [server.properties] [--override key=value ...]");
            } else if (file == null) {
                file = Path.of(a);
            } else {
                throw new ConfigException("Only one properties file may be given; got " + file + " and " + a);
            }
        }
        Map<String, String> props = new LinkedHashMap<>();
        if (file != null) {
            props.putAll(readFile(file));
        }
        props.putAll(fromEnvironment(env));
        props.putAll(overrides);
        return new Loaded(props, file);
    }

    static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("Cannot read properties file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name, p.getProperty(name));
        }
        return out;
    }

    /**
     * Maps {@code KAFKA_FOO_BAR=x} to {@code foo.bar=x}, with {@code ___} standing for '-' and
     * {@code __} for '_', as the official Apache Kafka image does.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("KAFKA_") || NOT_PROPERTIES.contains(name)) {
                continue;
            }
            String key = name.substring("KAFKA_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace("___", "\u0000")
                    .replace("__", "\u0001")
                    .replace('_', '.')
                    .replace('\u0000', '-')
                    .replace('\u0001', '_');
            out.put(key, e.getValue());
        }
        return out;
    }

    private static void putKeyValue(Map<String, String> into, String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--override expects key=value, got " + kv);
        }
        into.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
    }
}
