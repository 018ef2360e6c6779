package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * requests.http (VS Code REST Client, IntelliJ HTTP Client): it names every route of docs/openapi.yaml,
 * and sent in order against the demo, with its own values, every request answers as documented.
 */
class RequestCollectionTest {
    private static final Path COLLECTION = Path.of("requests.http");
    private static final Pattern REQUEST_LINE = Pattern.compile("^(GET|POST|PUT|PATCH|DELETE) (\\S+)");
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{([^}]+)}}");
    private static final Pattern FILE_VARIABLE = Pattern.compile("^@(\\w+) = (.*)$");
    private static DemoEnvironment demo;

    /** One request of the file: its name (# @name), request line, headers and body. */
    private record Request(String title, String name, String method, String url, Map<String, String> headers, String body) {
    }

    @BeforeAll
    static void startDemo() throws IOException {
        demo = new DemoEnvironment(0, 0);
    }

    @AfterAll
    static void stopDemo() {
        demo.close();
    }

    @Test
    void whenTheCollectionIsReadThenItNamesEveryRouteOfTheOpenApiDocumentAndNoOther() throws IOException {
        Set<String> documented = new TreeSet<>();
        JsonNode paths = new YAMLMapper().readTree(Path.of("docs", "openapi.yaml").toFile()).get("paths");
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (List.of("get", "post", "put", "patch", "delete").contains(method)) {
                documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey().replaceAll("\\{[^}]+}", "{}"));
            }
        }));
        Set<String> collected = new TreeSet<>();
        for (Request r : parse(Files.readString(COLLECTION)).requests()) {
            collected.add(route(r));
        }
        assertEquals(documented, collected);
    }

    @Test
    void whenTheCollectionIsSentInOrderAgainstTheDemoThenEachRequestAnswersAsDocumented() throws Exception {
        Parsed file = parse(Files.readString(COLLECTION));
        Map<String, String> variables = new HashMap<>(file.variables());
        variables.put("api", demo.functionsUrl() + "/api"); // the demo on a free port instead of 7071
        variables.put("key", demo.functionKey);
        Map<String, JsonNode> answers = new HashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        List<String> failures = new ArrayList<>();
        for (Request r : file.requests()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(resolve(r.url(), variables, answers)))
                    .method(r.method(), r.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(resolve(r.body(), variables, answers)));
            r.headers().forEach((name, value) -> request.header(name, resolve(value, variables, answers)));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean expected;
            if (r.url().contains("/auth/")) {
                expected = response.statusCode() == 400 && response.body().contains("state_invalid"); // the stale-link page
            } else if (r.url().endsWith("/completion")) {
                expected = response.statusCode() == 409 && response.body().contains("completion_invalid"); // the made-up code
            } else if (r.url().contains("/graph/")) {
                expected = response.statusCode() == 200 && response.body().equals("requests-http-check"); // Graph's handshake
            } else {
                expected = response.statusCode() >= 200 && response.statusCode() < 300;
            }
            if (!expected) {
                failures.add(r.title() + ": HTTP " + response.statusCode() + " " + response.body());
            }
            if (r.name() != null && expected) {
                answers.put(r.name(), Json.MAPPER.readTree(response.body()));
            }
            if ("create".equals(r.name())) {
                DemoSignIn.signIn(demo, answers.get("create").get("loginUrl").asText(), demo.users.get(NationalCloud.GLOBAL).get(0));
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(1, demo.graph.sentMail(demo.users.get(NationalCloud.GLOBAL).get(0).userPrincipalName()).size());
    }

    private record Parsed(Map<String, String> variables, List<Request> requests) {
    }

    /** "METHOD /path" with {} for each path parameter (a browser route's made-up session stands for its parameter). */
    private static String route(Request r) {
        String path = r.url().replaceFirst("^\\{\\{api}}", "").replaceFirst("\\?.*$", "").replaceAll("\\{\\{[^}]+}}", "{}");
        return r.method() + " " + path.replaceAll("(/auth/(?:login|adminconsent))/[^/]+$", "$1/{}");
    }

    private static Parsed parse(String text) {
        Map<String, String> variables = new LinkedHashMap<>();
        List<Request> requests = new ArrayList<>();
        for (String section : text.split("(?m)^###")) {
            List<String> lines = section.lines().toList();
            String title = lines.isEmpty() ? "" : lines.get(0).trim();
            String name = null;
            int i = 1;
            for (; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher variable = FILE_VARIABLE.matcher(line);
                if (variable.matches()) {
                    variables.put(variable.group(1), variable.group(2).trim());
                } else if (line.startsWith("# @name ")) {
                    name = line.substring("# @name ".length()).trim();
                } else if (REQUEST_LINE.matcher(line).find()) {
                    break;
                }
            }
            if (i >= lines.size()) {
                continue;
            }
            Matcher requestLine = REQUEST_LINE.matcher(lines.get(i));
            requestLine.find();
            Map<String, String> headers = new LinkedHashMap<>();
            for (i++; i < lines.size() && !lines.get(i).isBlank(); i++) {
                String[] header = lines.get(i).split(":\\s*", 2);
                headers.put(header[0], header[1]);
            }
            String body = String.join("\n", lines.subList(Math.min(i, lines.size()), lines.size())).trim();
            requests.add(new Request(title, name, requestLine.group(1), requestLine.group(2), headers, body));
        }
        return new Parsed(variables, requests);
    }

    /** The value at a simple JSONPath ({@code a.b[0].c}), or "" when it is not there. */
    private static String jsonPath(JsonNode answer, String path) {
        JsonNode node = answer == null ? Json.MAPPER.missingNode() : answer;
        for (String part : path.split("\\.")) {
            Matcher indexed = Pattern.compile("(\\w+)\\[(\\d+)]").matcher(part);
            node = indexed.matches() ? node.path(indexed.group(1)).path(Integer.parseInt(indexed.group(2))) : node.path(part);
        }
        return node.asText();
    }

    /** {{variable}} and REST Client's {{name.response.body.$.field}}, as the clients resolve them. */
    private static String resolve(String text, Map<String, String> variables, Map<String, JsonNode> answers) {
        String resolved = text;
        for (int round = 0; round < 5; round++) {
            Matcher m = VARIABLE.matcher(resolved);
            StringBuilder next = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String value;
                if (name.contains(".response.body.$.")) {
                    value = jsonPath(answers.get(name.substring(0, name.indexOf('.'))), name.substring(name.indexOf("$.") + 2));
                } else {
                    value = variables.getOrDefault(name, m.group());
                }
                m.appendReplacement(next, Matcher.quoteReplacement(value));
            }
            m.appendTail(next);
            resolved = next.toString();
        }
        assertTrue(!resolved.contains("{{"), "unresolved: " + resolved);
        return resolved;
    }
}
