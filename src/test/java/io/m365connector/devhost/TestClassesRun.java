package io.m365connector.devhost;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes with the JUnit launcher of whatever class loader loaded this class. {@link WorkerClassPathIT}
 * loads it inside the class loader the Functions worker builds, so the tests run on the worker's class path;
 * only JDK types cross back (the caller's JUnit classes are other classes than this loader's).
 */
public final class TestClassesRun {
    private TestClassesRun() {
    }

    /** Returns {tests found, tests succeeded, tests failed, the failures with their stack traces}. */
    public static Object[] run(String... classNames) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(classNames).map(name -> selectClass(name)).toList())
                // a guard, not a measure: on a broken class path a LinkageError can kill the owner of an idempotency
                // claim while other callers wait for it, and such a test would otherwise wait until the heap runs out
                .configurationParameter("junit.jupiter.execution.timeout.default", "5 m")
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        StringWriter failures = new StringWriter();
        summary.printFailuresTo(new PrintWriter(failures), 40);
        return new Object[] {summary.getTestsFoundCount(), summary.getTestsSucceededCount(),
                summary.getTotalFailureCount(), failures.toString()};
    }
}
