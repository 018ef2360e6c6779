package io.m365connector.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port for a server that is bound later, often by another process (Azurite, the demo, a worker JVM).
 *
 * <p>Asking the kernel for port 0 and closing the socket leaves a window in which any other bind to
 * port 0 on the machine can get the same port: the other test JVM creates hundreds of servers that
 * way, and a demo that took 15 s to compile lost its port to one of them ("Address already in use" in
 * CI). Ports below the kernel's ephemeral range are never handed out for port 0 or for outgoing
 * connections, so only another explicit choice from this class could take one, and it picks at random
 * from thousands.
 */
public final class Ports {
    private static final int LOWEST = 20_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** macOS and Windows hand out 49152 and up; Linux 32768 and up unless configured otherwise. */
    private static final int USUAL_EPHEMERAL_START = 32_768;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    /**
     * A port that is free now, that nothing on the machine binds by asking for port 0, and that this JVM has not
     * handed out before (Azurite asks for three before it binds any).
     */
    public static synchronized int free() {
        int end = Math.min(ephemeralStart(), USUAL_EPHEMERAL_START);
        if (end - LOWEST < 1_000) {
            return fromKernel(); // an unusual ephemeral range: no room below it
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, end);
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        return fromKernel();
    }

    private static int ephemeralStart() {
        try {
            // A line read, not Files.readString: on this build machine's kernel procfs reports a size that readString trusts, and it
            // returned "3" of "32768 60999": every port then came from the kernel's ephemeral range, and Azurite lost one to a race.
            try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
                return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return USUAL_EPHEMERAL_START;
        }
    }

    /** Free on every address: a server bound to 0.0.0.0 (the secured Azurite) and one on 127.0.0.1 must both fit. */
    private static boolean bindable(int port) {
        try (ServerSocket wildcard = new ServerSocket()) {
            wildcard.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int fromKernel() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
