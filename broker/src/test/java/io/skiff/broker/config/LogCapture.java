package io.skiff.broker.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what one class logs (through logback) while open. Not thread-safe; one per test. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        appender.start();
        logger.addAppender(appender);
    }

    /** Each event as it would be printed: level, formatted message and any arguments left over. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
            StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getFormattedMessage());
            if (e.getArgumentArray() != null) {
                for (Object a : e.getArgumentArray()) {
                    line.append(" | ").append(a);
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
