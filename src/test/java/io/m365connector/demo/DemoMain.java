package io.m365connector.demo;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;

/**
 * The no-tenant demo: {@code npm run demo} (or {@code mvn -Pdemo -DskipTests verify}). Starts Azurite,
 * the fakes, the functions and the sample web app, prints where to go, and runs until Ctrl+C.
 */
public final class DemoMain {
    public static void main(String[] args) throws Exception {
        int functionsPort = args.length > 0 ? Integer.parseInt(args[0]) : 7071;
        int webPort = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        DemoEnvironment demo = new DemoEnvironment(functionsPort, webPort);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close));
        StringBuilder users = new StringBuilder();
        for (NationalCloud cloud : NationalCloud.values()) {
            users.append("    ").append(String.format("%-9s", cloud.id())).append(' ');
            for (FakeUser user : demo.users.get(cloud)) {
                users.append(user.userPrincipalName()).append("  ");
            }
            users.append('\n');
        }
        System.out.println("""

                m365-connector demo (no Microsoft tenant needed)
                ------------------------------------------------
                  Open the sample web app:   %s
                  Functions (local host):    %s/api   (function key: %s)
                  Fake users, by cloud:
                %s
                  Everything is local: Azurite for storage, fakes of Entra ID, Microsoft Graph and Key Vault.
                  Press Ctrl+C to stop.
                """.formatted(demo.webAppUrl(), demo.functionsUrl(), demo.functionKey, users));
        Thread.currentThread().join();
    }
}
