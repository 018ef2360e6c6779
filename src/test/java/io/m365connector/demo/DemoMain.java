package io.m365connector.demo;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.entra.FakeUser;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

/**
 * The no-tenant demo, started by {@code npm run demo} (scripts/demo.sh), which builds and then runs
 * this with the two ports: Azurite, the fakes, the functions and the sample web app, then where to go.
 * Runs until Ctrl+C or SIGTERM; the shutdown hooks stop the servers, the sample web app and Azurite.
 */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        int functionsPort = args.length > 0 ? Integer.parseInt(args[0]) : 7071;
        int webPort = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        for (int port : new int[] {functionsPort, webPort}) {
            if (!free(port)) {
                exit("Port " + port + " is already in use (another demo, or Azure Functions Core Tools?). Stop that, or choose free ports:\n"
                        + "  npm run demo -- --functions-port 7072 --app-port 3001");
            }
        }
        System.out.println("[4/4] Starting Azurite (storage emulator)...");
        Azurite.shared();
        System.out.println("      Starting the fakes of Entra ID, Microsoft Graph and Key Vault, the functions and the sample web app...");
        DemoEnvironment demo;
        try {
            demo = new DemoEnvironment(functionsPort, webPort, System.out);
        } catch (BindException e) {
            exit("A port was taken while the demo started (" + e.getMessage() + "). Choose others: npm run demo -- --functions-port 7072 "
                    + "--app-port 3001");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Straight to the process's stdout: Maven's console stream (the demo runs in Maven's JVM) is undone by Maven's own
            // shutdown hook, running at the same time, which once cut this line after its first letter (DemoLauncherTest)
            PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
            stdout.println("Stopping the demo (sample web app, servers, fakes and Azurite)...");
            demo.close();
        }));
        System.out.println(banner(demo));
        Thread.currentThread().join();
    }

    /** What the demo prints once it runs: where to go, and shell lines to paste (the README's curl uses API and KEY). */
    static String banner(DemoEnvironment demo) {
        StringBuilder users = new StringBuilder();
        for (NationalCloud cloud : NationalCloud.values()) {
            users.append("    ").append(String.format("%-9s", cloud.id())).append(' ');
            for (FakeUser user : demo.users.get(cloud)) {
                users.append(user.userPrincipalName()).append("  ");
            }
            users.append('\n');
        }
        return """

                m365-connector demo (no Microsoft tenant needed)
                ------------------------------------------------
                  Open the sample web app:   %s   (samples/webapp: it uses only the HTTP API)
                  Functions (local host):    %s/api
                  Function key:              %s
                    (the API answers 401 without it: send it as the x-functions-key header)

                  Call the API from a shell: paste these two lines, then the README's "Call the API in five minutes".
                    API=%s/api
                    KEY=%s
                  For example, start a connection for your user "me" (then open its loginUrl in the browser):
                    curl -H "x-functions-key: $KEY" -H "X-Owner-Id: me" -H "Content-Type: application/json" \\
                      -d '{"ownerId":"me","features":["mail"],"cloud":"global"}' $API/connections
                  Every route with these values: requests.http (VS Code REST Client, IntelliJ HTTP Client; set @key).

                  Fake users, by cloud:
                %s
                  Everything is local: Azurite for storage, fakes of Entra ID, Microsoft Graph and Key Vault.
                  Press Ctrl+C to stop.
                """.formatted(demo.webAppUrl(), demo.functionsUrl(), demo.functionKey, demo.functionsUrl(), demo.functionKey, users);
    }

    /**
     * Whether nothing listens on the port. With address reuse, as every server of the demo binds: a
     * connection of a stopped demo still in TIME_WAIT must not make the port look taken.
     */
    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("localhost", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void exit(String message) {
        System.err.println(message);
        System.exit(1); // servers already started would otherwise keep the JVM alive
    }
}
