package io.skiff.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Skiff's default logging, set up in code (no XML parsing at start-up): time, level, message,
 * logger and thread on standard output; INFO by default, {@code -Dskiff.log.level=DEBUG} to
 * change it; Netty at WARN. A logback configuration file given with
 * {@code -Dlogback.configurationFile=...} (or a {@code logback-test.xml} on the class path, in
 * tests) replaces all of this. Registered for logback through
 * {@code META-INF/services}.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "[%d{yyyy-MM-dd HH:mm:ss.SSS}] %-5level %msg \\(%logger{36}\\) [%thread]%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // an explicit file (or a test set-up) wins
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("skiff.log.level", "INFO"), Level.INFO));
        root.addAppender(console);
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
