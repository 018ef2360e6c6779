package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * In Azure the app runs on the Gson inside the Functions Java worker's jar (2.9.0 up to worker 2.17.0, 2.11.0 in the
 * workers built since December 2024), not on the
 * Gson the Graph SDK brings into lib/ (see {@link WorkerClassPath}). This re-runs the tests that drive every way the
 * app's Graph calls use Kiota's JSON inside that class loader: the packaged jars, with the worker's Gson ahead of them. Most bodies and
 * answers are JSON the app reads and writes with Jackson (GraphJsonRequests); Kiota's Gson-based JSON still reads every
 * OData error (through the session's own JSON factories, made on first use: GraphClient), and writes and reads free/busy,
 * meeting times, upload sessions and event cancellations (through the SDK's fluent client, which registers its factories
 * when a call makes it). A Graph SDK or Kiota upgrade that needs a newer Gson fails here, not in Azure.
 *
 * <p>One subclass per Gson the worker has carried ({@link WorkerClassPathIT}, {@link WorkerClassPathNewerGsonIT}), so
 * that Failsafe runs them in two JVMs at once.
 */
abstract class WorkerClassPathCheck {
    /** Kiota's JSON alone: fails in seconds, with the Gson error in the report, when the Gson does not fit. */
    static final String GRAPH_JSON_TEST = "io.m365connector.graph.GraphJsonTest";
    /**
     * The tests that drive the app's Graph calls end to end (fake Graph over HTTPS, Azurite). Sync is here through
     * SyncWebhookTest (its delta pages, subscriptions and notifications), not SyncTest (46 s, half of this check): every
     * Graph call of sync (its subscription DELETE too, since December 7) goes through GraphJsonRequests like the reads,
     * with Jackson bodies, so Kiota's Gson reads only their OData errors, which the mail, event and reading tests drive
     * through the same GraphJsonRequests.exchange.
     * WorkerClassPathSelectionTest fails when sync starts using the SDK's models or Kiota's serialization.
     */
    static final List<String> GRAPH_TESTS = List.of(
            "io.m365connector.actions.MailActionTest",
            "io.m365connector.actions.EventActionTest",
            "io.m365connector.actions.RoomBookingTest",
            "io.m365connector.reading.ReadingTest",
            "io.m365connector.scheduling.AvailabilityTest",
            "io.m365connector.scheduling.MeetingTimesTest",
            "io.m365connector.scheduling.RoomsTest",
            "io.m365connector.sync.SyncWebhookTest",
            "io.m365connector.graph.GraphFailureTest");

    /** The Gson version this check runs on (pom.xml, worker.gson.*). */
    abstract String gsonVersion();

    @Test
    void whenTheGraphTestsRunOnTheWorkersGsonThenTheyAllPass() throws Exception {
        String version = gsonVersion();
        assertNotNull(version, "Failsafe passes the worker's Gson versions as system properties (pom.xml)");
        Path workerGson = WorkerClassPath.WORKER_JARS.resolve("gson-" + version + ".jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(workerGson), "maven-dependency-plugin copies the worker's Gson to " + workerGson);
        // Left open: the tests start Azurite and servers whose shutdown hooks still load classes when the JVM exits.
        URLClassLoader worker = WorkerClassPath.workerLoader(List.of(workerGson));
        URLClassLoader app = WorkerClassPath.appLoader(worker, WorkerClassPath.testOnlyClassPath());
        Class<?> gson = app.loadClass("com.google.gson.Gson");
        assertSame(worker, gson.getClassLoader(), "Gson comes from the worker, parent first");
        assertEquals(workerGson, location(gson));
        assertEquals(WorkerClassPath.APP.resolve("lib").toAbsolutePath(),
                location(app.loadClass("com.microsoft.kiota.serialization.JsonParseNode")).getParent());
        assertEquals(WorkerClassPath.APP.toAbsolutePath(), location(app.loadClass("io.m365connector.graph.GraphAccess")).getParent(),
                "the app's classes come from the packaged app jar");

        Object[] json = runInside(app, List.of(GRAPH_JSON_TEST));
        assertEquals(0L, json[2], "Kiota's JSON on Gson " + version + ":\n" + json[3]);
        assertTrue((Long) json[1] > 0, "GraphJsonTest ran");
        Object[] result = runInside(app, GRAPH_TESTS);
        long found = (Long) result[0];
        long succeeded = (Long) result[1];
        long failed = (Long) result[2];
        System.out.println("Gson " + version + " from " + location(gson) + ": " + found + " tests found, " + succeeded
                + " succeeded, " + failed + " failed");
        assertEquals(0, failed, "on Gson " + version + ":\n" + result[3]);
        assertTrue(found >= GRAPH_TESTS.size() && succeeded == found,
                "every test ran and passed on Gson " + version + ": found " + found + ", succeeded " + succeeded);
    }

    private static Object[] runInside(URLClassLoader app, List<String> testClasses) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // the tests' log capture installs itself in the JVM-wide logging and System.out/err: undone afterwards, so
        // the ITs after this one are not logged into a copy nobody reads
        Logger root = Logger.getLogger("");
        Level level = root.getLevel();
        Map<Handler, Level> handlers = new HashMap<>();
        for (Handler handler : root.getHandlers()) {
            handlers.put(handler, handler.getLevel());
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        thread.setContextClassLoader(app); // the worker sets it too (JavaFunctionBroker)
        try {
            Class<?> run = app.loadClass(TestClassesRun.class.getName());
            assertSame(app, run.getClassLoader());
            return (Object[]) run.getMethod("run", String[].class).invoke(null, (Object) testClasses.toArray(String[]::new));
        } finally {
            thread.setContextClassLoader(previous);
            System.setOut(out);
            System.setErr(err);
            for (Handler handler : root.getHandlers()) {
                if (handlers.containsKey(handler)) {
                    handler.setLevel(handlers.get(handler));
                } else {
                    root.removeHandler(handler);
                }
            }
            root.setLevel(level);
        }
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    }
}
