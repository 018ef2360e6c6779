package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** npm run demo (scripts/demo.sh) talks from the first line and refuses busy ports in seconds, naming them. */
class DemoScriptTest {
    private record Run(int exit, String output) {
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "scripts/demo.sh"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "answered within 10 seconds");
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void whenAPortIsBusyThenTheDemoSaysWhichAndHowToChooseOthersWithinSeconds() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = busy.getLocalPort();

            Run run = run("--functions-port", String.valueOf(port), "--app-port", String.valueOf(Ports.free()));

            assertEquals(1, run.exit(), run.output());
            assertTrue(run.output().startsWith("m365-connector demo: starting"), "the first line says what happens: " + run.output());
            assertTrue(run.output().contains("Port " + port + " is already in use"), run.output());
            assertTrue(run.output().contains("--functions-port 7072 --app-port 3001"), "how to pick others: " + run.output());
        }
    }

    @Test
    void whenAnOptionIsWrongThenUsageAndExit2() throws Exception {
        Run unknown = run("--port", "1");
        Run notANumber = run("--app-port", "web");

        assertEquals(2, unknown.exit());
        assertTrue(unknown.output().contains("Usage: npm run demo"), unknown.output());
        assertEquals(2, notANumber.exit());
        assertTrue(notANumber.output().contains("'web' is not a port number"), notANumber.output());
    }
}
