package io.m365connector.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records every java.util.logging record while open (root logger, all levels), for tests about what is logged. */
public final class LogRecorder implements AutoCloseable {
    private final List<LogRecord> records = new ArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level rootLevel = root.getLevel();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogRecorder() {
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.ALL);
    }

    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Records at {@code level} or above, as "LEVEL logger: first line". */
    public List<String> atOrAbove(Level level) {
        return records().stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + String.valueOf(r.getMessage()).lines().findFirst().orElse(""))
                .toList();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        root.setLevel(rootLevel);
    }
}
