package io.m365connector.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The log-leak check sees only what the capture's formatter writes: everything a secret could hide in. */
class LogCaptureFormatterTest {
    @Test
    void whenARecordHasParametersAndACauseChainThenTheCapturedTextHoldsThemAll() {
        LogRecord record = new LogRecord(Level.FINEST, "refresh for {0} failed");
        record.setLoggerName("io.m365connector.tokens");
        record.setParameters(new Object[] {"parameter-text-1"});
        record.setThrown(new IllegalStateException("outer-message-2", new IOException("cause-message-3")));

        String text = new LogCapture.CaptureFormatter().format(record);

        for (String expected : new String[] {"FINEST", "io.m365connector.tokens", "refresh for parameter-text-1 failed",
                "outer-message-2", "cause-message-3", "LogCaptureFormatterTest"}) {
            assertTrue(text.contains(expected), expected + " missing from " + text);
        }
    }
}
