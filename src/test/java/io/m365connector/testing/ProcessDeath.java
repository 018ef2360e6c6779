package io.m365connector.testing;

/**
 * The process was killed here (SIGKILL, scale-in, out of memory): thrown by {@link KillSwitch} at the
 * chosen outbound request. An Error, so no {@code catch (RuntimeException)} of the code under test
 * can handle it as a failure; after it, the instance reaches nothing outside its memory.
 */
public final class ProcessDeath extends Error {
    public ProcessDeath(String where) {
        super("process killed " + where, null, false, false);
    }
}
