package io.m365connector.testing;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Ports for servers bound later by other processes come from below the kernel's ephemeral range, never from it. */
class PortsTest {
    @Test
    void whenAPortIsHandedOutThenItIsBelowTheEphemeralRangeAndNotHandedOutAgain() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralStart = Files.isReadable(range) ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]) : 32_768;

        int first = Ports.free();
        int second = Ports.free();

        // failed when the range was read with Files.readString: this kernel's procfs gave it "3", and every port came from the kernel
        assertTrue(first < ephemeralStart && second < ephemeralStart, first + ", " + second + " (ephemeral from " + ephemeralStart + ")");
        assertNotEquals(first, second);
    }
}
