package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's "Call the API in five minutes", run literally in one bash session against the demo,
 * after the two lines the demo prints to paste: what a newcomer types, on a machine without uuidgen or jq.
 */
class ReadmeCurlTest {
    private static final Pattern BASH_BLOCK = Pattern.compile("(?ms)^```bash\\n(.*?)^```");
    private static DemoEnvironment demo;

    @BeforeAll
    static void startDemo() throws IOException {
        demo = new DemoEnvironment(0, 0);
    }

    @AfterAll
    static void stopDemo() {
        demo.close();
    }

    @Test
    void whenTheReadmesCurlIsRunAsWrittenThenTheConnectionMailAndEventWorkAndARepeatSendsNothing() throws Exception {
        List<String> blocks = readmeBlocks();
        assertEquals(2, blocks.size(), "start; then, after the sign-in, list, status, mail, event");
        String paste = pasteLines(DemoMain.banner(demo));
        for (String block : blocks) {
            assertFalse(block.contains("uuidgen") || block.contains("jq "), "only curl, grep and head: " + block);
        }

        Process bash = new ProcessBuilder("bash", "-s").redirectErrorStream(true).start();
        try (Writer in = new OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader out = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
            String started = run(in, out, paste + "\n" + blocks.get(0));
            assertTrue(started.contains("\"status\":\"pending\""), started);
            String loginUrl = field(started, "loginUrl");

            FakeUser adele = demo.users.get(NationalCloud.GLOBAL).get(0);
            DemoSignIn.signIn(demo, loginUrl, adele);

            String used = run(in, out, blocks.get(1));
            String again = run(in, out, blocks.get(1));
            for (String output : List.of(used, again)) {
                assertFalse(output.contains("command not found") || output.contains("\"code\""), "no error, no problem answer: " + output);
                assertTrue(output.contains("\"ownerId\":\"me\",\"connections\":[{\"connectionId\":\"" + field(started, "connectionId")), output);
                assertTrue(output.contains("\"status\":\"active\"") && output.contains("\"userPrincipalName\":\"" + adele.userPrincipalName()),
                        output);
                assertTrue(output.contains("\"status\":\"sent\",\"recipients\":1"), output);
                assertTrue(output.contains("\"eventId\":") && output.contains("\"joinUrl\":"), output);
            }
            assertEquals(1, demo.graph.sentMail(adele.userPrincipalName()).size(), "the second run replayed the keyed send");
            assertEquals(1, demo.graph.events(adele.userPrincipalName()).size(), "and the keyed event");
        } finally {
            bash.destroy();
            bash.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenTheDemoStartsThenItsBannerCurlNamesTheOwnerAndCreatesAConnection() throws Exception {
        String banner = DemoMain.banner(demo);
        int from = banner.indexOf("    curl ");
        String curl = banner.substring(from, banner.indexOf("/connections", from) + "/connections".length());
        assertTrue(curl.contains("-H \"X-Owner-Id: me\""), curl);

        Process bash = new ProcessBuilder("bash", "-c", pasteLines(banner) + "\n" + curl).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.contains("\"status\":\"pending\"") && output.contains("\"loginUrl\":"), output);
    }

    /** The API= and KEY= lines of the banner, as a user pastes them. */
    private static String pasteLines(String banner) {
        StringBuilder lines = new StringBuilder();
        for (String line : banner.lines().toList()) {
            if (line.trim().startsWith("API=") || line.trim().startsWith("KEY=")) {
                lines.append(line.trim()).append('\n');
            }
        }
        assertEquals(2, lines.toString().lines().count(), "the banner prints API= and KEY=: " + banner);
        return lines.toString();
    }

    private static List<String> readmeBlocks() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## Call the API in five minutes");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        List<String> blocks = new ArrayList<>();
        Matcher m = BASH_BLOCK.matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** Types a block into the shell and reads what it printed, up to a marker. */
    private static String run(Writer in, BufferedReader out, String block) throws IOException {
        String marker = "__done_" + System.nanoTime();
        in.write(block + "\necho\necho " + marker + "\n");
        in.flush();
        StringBuilder output = new StringBuilder();
        for (String line = out.readLine(); line != null && !line.equals(marker); line = out.readLine()) {
            output.append(line).append('\n');
        }
        return output.toString();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }
}
