package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.Ports;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sample web app never outlives the demo that started it: a SIGTERM stops it (DemoLauncherTest), and
 * so does the end of its stdin pipe, which is what a demo JVM killed outright (no shutdown hooks) leaves it.
 */
class SampleWebAppLifetimeTest {
    @Test
    void whenTheDemosJvmIsGoneWithoutASignalThenTheSampleWebAppStopsByItself() throws Exception {
        int port = Ports.free();
        try (SampleWebApp app = new SampleWebApp(port, Map.of("CONNECTOR_API_URL", "http://localhost:9/api",
                "CONNECTOR_FUNCTION_KEY", "unused-here"), null)) {
            assertFalse(app.exited(1), "it runs while its parent is there");

            app.closeStdin();

            assertTrue(app.exited(30), "it stopped when its stdin ended: " + app.output());
        }
    }
}
