package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.platform.http.HostRouting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The development host serves exactly the HTTP functions the Functions host will: same routes, methods and auth levels. */
class LocalFunctionHostRoutesIT {
    @Test
    void whenComparedWithTheGeneratedFunctionJsonThenRoutesMethodsAndAuthLevelsAreEqual() throws IOException {
        AppContext context = new AppContext(Wiring.production().settings(() -> {
            throw new IllegalStateException("settings are not needed to list functions");
        }).routing(HostRouting.DIRECT).clock(Clock.systemUTC()).tables(Tables.defaults()));
        Map<String, String> local = new TreeMap<>();
        for (LocalFunctionHost.Route route : LocalFunctionHost.routesOf(context.functionClasses())) {
            local.put(route.functionName(), String.join(",", route.methods()) + " " + route.template() + " "
                    + route.authLevel().name().toLowerCase());
        }
        Map<String, String> generated = new TreeMap<>();
        Path app = Path.of("target", "azure-functions", "m365-connector");
        try (Stream<Path> dirs = Files.list(app)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Path json = dir.resolve("function.json");
                if (!Files.exists(json)) {
                    continue;
                }
                for (JsonNode binding : new ObjectMapper().readTree(json.toFile()).get("bindings")) {
                    if ("httpTrigger".equals(binding.get("type").asText())) {
                        TreeSet<String> methods = new TreeSet<>();
                        binding.get("methods").forEach(m -> methods.add(m.asText().toUpperCase()));
                        generated.put(dir.getFileName().toString(), String.join(",", methods) + " " + binding.get("route").asText()
                                + " " + binding.get("authLevel").asText().toLowerCase());
                    }
                }
            }
        }
        assertNotNull(generated.get("sendMail"));
        assertEquals(generated, local);
    }
}
