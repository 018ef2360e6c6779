package io.m365connector.devhost;

import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.LocalCloudRouting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The function app in a process of its own, for tests that kill it (SIGKILL) the way Azure kills
 * workers: the production composition root over the parent test's Azurite tables, with the parent's
 * route table to its fakes of Entra ID and Graph, served by {@link LocalFunctionHost}. Its clock runs
 * {@code clockOffsetSeconds} ahead of the real one, so a test moves time across restarts instead of
 * sleeping (a restarted instance finds the dead one's lease run out).
 *
 * <p>Arguments: a properties file with {@code port}, {@code functionKey}, {@code tablePrefix},
 * {@code clockOffsetSeconds}, {@code routes} (a file of {@link LocalCloudRouting#export()} lines) and
 * every setting as {@code env.NAME}. Prints {@code READY <port>} when it serves.
 */
public final class ChildFunctionHost {
    private ChildFunctionHost() {
    }

    public static void main(String[] args) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        Map<String, String> env = new HashMap<>();
        p.stringPropertyNames().stream().filter(n -> n.startsWith("env.")).forEach(n -> env.put(n.substring(4), p.getProperty(n)));
        LocalCloudRouting routing = LocalCloudRouting.imported(Files.readAllLines(Path.of(p.getProperty("routes"))));
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(Long.parseLong(p.getProperty("clockOffsetSeconds"))));
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(clock).tables(Tables.prefixed(p.getProperty("tablePrefix"))));
        LocalFunctionHost host = new LocalFunctionHost(context, "127.0.0.1", Integer.parseInt(p.getProperty("port")),
                p.getProperty("functionKey"), Map.of());
        System.out.println("READY " + host.port());
        System.out.flush();
    }

    /** The properties of a child that serves on {@code port}. */
    public static Properties properties(int port, String functionKey, String tablePrefix, long clockOffsetSeconds, Path routes,
                                        Map<String, String> env) {
        Properties p = new Properties();
        p.setProperty("port", String.valueOf(port));
        p.setProperty("functionKey", functionKey);
        p.setProperty("tablePrefix", tablePrefix);
        p.setProperty("clockOffsetSeconds", String.valueOf(clockOffsetSeconds));
        p.setProperty("routes", routes.toString());
        env.forEach((k, v) -> p.setProperty("env." + k, v));
        return p;
    }

}
