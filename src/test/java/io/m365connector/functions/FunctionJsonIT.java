package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads the function.json files that azure-functions-maven-plugin generated during `package` and
 * checks each function's trigger: a wrong route, method or auth level fails the build.
 */
class FunctionJsonIT {
    static final Path APP = Path.of("target", "azure-functions", "m365-connector");

    /** function name -> "methods route authLevel" for HTTP functions. */
    static final Map<String, String> EXPECTED_HTTP = new TreeMap<>(Map.ofEntries(
            Map.entry("sendMail", "POST connections/{id}/mail function"),
            Map.entry("createEvent", "POST connections/{id}/events function"),
            Map.entry("getEvent", "GET connections/{id}/events/{eventId} function"),
            Map.entry("updateEvent", "PATCH connections/{id}/events/{eventId} function"),
            Map.entry("listRooms", "GET connections/{id}/rooms function"),
            Map.entry("getAvailability", "POST connections/{id}/availability function"),
            Map.entry("findMeetingTimes", "POST connections/{id}/meeting-times function"),
            Map.entry("cancelEvent", "DELETE connections/{id}/events/{eventId} function"),
            Map.entry("health", "GET health anonymous"),
            Map.entry("replayWebhooks", "POST webhooks/replay admin"),
            Map.entry("createConnection", "POST connections function"),
            Map.entry("listConnections", "GET connections function"),
            Map.entry("getConnection", "GET connections/{id} function"),
            Map.entry("deleteConnection", "DELETE connections/{id} function"),
            Map.entry("confirmCompletion", "POST connections/{id}/completion function"),
            Map.entry("authLogin", "GET auth/login/{session} anonymous"),
            Map.entry("authCallback", "GET,POST auth/callback anonymous"),
            Map.entry("authAdminConsent", "GET auth/adminconsent/{session} anonymous"),
            Map.entry("listMessages", "GET connections/{id}/messages function"),
            Map.entry("getMessage", "GET connections/{id}/messages/{messageId} function"),
            Map.entry("getAttachment", "GET connections/{id}/messages/{messageId}/attachments/{attachmentId} function"),
            Map.entry("listEvents", "GET connections/{id}/events function"),
            Map.entry("listChanges", "GET connections/{id}/changes function"),
            Map.entry("addSharedMailbox", "PUT connections/{id}/shared-mailboxes/{mailbox} function"),
            Map.entry("removeSharedMailbox", "DELETE connections/{id}/shared-mailboxes/{mailbox} function"),
            Map.entry("graphNotifications", "POST graph/notifications anonymous"),
            Map.entry("graphLifecycle", "POST graph/lifecycle anonymous")));

    /** function name -> "trigger type + its key property" for the non-HTTP functions. */
    static final Map<String, String> EXPECTED_OTHER = new TreeMap<>(Map.of(
            "refreshSweep", "timerTrigger schedule=%REFRESH_SCHEDULE%",
            "housekeeping", "timerTrigger schedule=0 17 3 * * *",
            "appCredentialCheck", "timerTrigger schedule=0 */5 * * * *",
            "refreshWorker", "queueTrigger queueName=refresh-requests connection=AzureWebJobsStorage",
            "notificationWorker", "queueTrigger queueName=status-notifications connection=AzureWebJobsStorage",
            "syncWorker", "queueTrigger queueName=sync-requests connection=AzureWebJobsStorage",
            "syncTimer", "timerTrigger schedule=0 */5 * * * *"));

    @Test
    void whenPackagedThenEveryHttpFunctionHasTheExpectedRouteMethodsAndAuthLevel() throws IOException {
        assertTrue(Files.isDirectory(APP), "run mvn package first: " + APP.toAbsolutePath());
        Map<String, String> actual = new TreeMap<>();
        for (Map.Entry<String, JsonNode> function : readFunctions().entrySet()) {
            for (JsonNode binding : function.getValue().get("bindings")) {
                if ("httpTrigger".equals(binding.get("type").asText())) {
                    List<String> methods = new ArrayList<>();
                    binding.get("methods").forEach(m -> methods.add(m.asText().toUpperCase()));
                    methods.sort(String::compareTo);
                    actual.put(function.getKey(), String.join(",", methods) + " " + binding.get("route").asText() + " "
                            + binding.get("authLevel").asText().toLowerCase());
                }
            }
        }
        assertEquals(EXPECTED_HTTP, actual);
    }

    @Test
    void whenPackagedThenTimerAndQueueFunctionsHaveTheirBindings() throws IOException {
        Map<String, String> actual = new TreeMap<>();
        for (Map.Entry<String, JsonNode> function : readFunctions().entrySet()) {
            for (JsonNode binding : function.getValue().get("bindings")) {
                String type = binding.get("type").asText();
                if (type.equals("timerTrigger")) {
                    actual.put(function.getKey(), type + " schedule=" + binding.get("schedule").asText());
                } else if (type.equals("queueTrigger")) {
                    actual.put(function.getKey(), type + " queueName=" + binding.get("queueName").asText()
                            + " connection=" + binding.get("connection").asText());
                }
            }
        }
        assertEquals(EXPECTED_OTHER, actual);
    }

    @Test
    void whenPackagedThenHostJsonAndTheInjectorRegistrationShip() throws IOException {
        JsonNode host = new ObjectMapper().readTree(APP.resolve("host.json").toFile());
        assertEquals("api", host.get("extensions").get("http").get("routePrefix").asText());
        assertEquals("[4.*, 5.0.0)", host.get("extensionBundle").get("version").asText());
        try (Stream<Path> jars = Files.list(APP)) {
            assertTrue(jars.anyMatch(p -> p.getFileName().toString().startsWith("m365-connector")), "app jar is staged");
        }
    }

    static Map<String, JsonNode> readFunctions() throws IOException {
        Map<String, JsonNode> functions = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(APP)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Path json = dir.resolve("function.json");
                if (Files.exists(json)) {
                    functions.put(dir.getFileName().toString(), new ObjectMapper().readTree(json.toFile()));
                }
            }
        }
        return functions;
    }

    @Test
    void whenTheAppIsPackagedThenTheSlf4jBindingShipsSoMsalAndAzureSdkLogsReachTheHost() throws Exception {
        try (var jars = Files.list(APP.resolve("lib"))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("slf4j-jdk14-")), "slf4j-jdk14 in lib/: " + names);
            String api = names.stream().filter(n -> n.startsWith("slf4j-api-")).findFirst().orElseThrow();
            String binding = names.stream().filter(n -> n.startsWith("slf4j-jdk14-")).findFirst().orElseThrow();
            assertEquals(api.substring("slf4j-api-".length()), binding.substring("slf4j-jdk14-".length()), "binding matches the API");
        }
    }
}
