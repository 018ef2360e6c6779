package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README sends readers to docs/API.md for "every route": its route table must name each HTTP function's method and
 * route, and nothing that is not one (placeholders compared without their names, query strings left out).
 */
class ApiRouteTableTest {
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern METHOD_AND_PATH = Pattern.compile("^((?:GET|POST|PUT|PATCH|DELETE)\\b)?\\s*(/api/\\S*)?$");

    @Test
    void whenApiMdListsItsRoutesThenTheyAreExactlyTheHttpFunctions() throws IOException {
        assertEquals(functions(), documented(), "docs/API.md's route table against the HTTP functions");
    }

    /** Every class of the functions package as compiled, so that a new function class is checked without being listed here. */
    private static List<Class<?>> functionClasses() throws IOException {
        List<Class<?>> classes = new ArrayList<>();
        try (var files = Files.list(Path.of("target/classes/io/m365connector/functions"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class")) {
                    try {
                        classes.add(Class.forName("io.m365connector.functions." + name.substring(0, name.length() - ".class".length()), false,
                                ApiRouteTableTest.class.getClassLoader()));
                    } catch (ClassNotFoundException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
        return classes;
    }

    private static Set<String> functions() throws IOException {
        Set<String> routes = new TreeSet<>();
        for (Class<?> type : functionClasses()) {
            for (Method method : type.getMethods()) {
                for (Parameter parameter : method.getParameters()) {
                    HttpTrigger trigger = parameter.getAnnotation(HttpTrigger.class);
                    if (trigger != null) {
                        for (HttpMethod verb : trigger.methods()) {
                            routes.add(verb.name() + " " + normalize("/api/" + trigger.route()));
                        }
                    }
                }
            }
        }
        return routes;
    }

    /** The first cell of each row of the table under "| Route |": its methods and paths, in backticks. */
    private static Set<String> documented() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/API.md"));
        int header = lines.indexOf("| Route | Auth | Purpose |");
        Set<String> routes = new TreeSet<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String cell = lines.get(i).split("\\|")[1];
            List<String> pending = new ArrayList<>();
            Matcher code = CODE.matcher(cell);
            while (code.find()) {
                Matcher m = METHOD_AND_PATH.matcher(code.group(1).trim());
                if (!m.matches()) {
                    throw new AssertionError("Not a method and route in API.md's table: " + code.group(1));
                }
                if (m.group(1) != null) {
                    pending.add(m.group(1));
                }
                if (m.group(2) != null) {
                    for (String verb : pending) {
                        routes.add(verb + " " + normalize(m.group(2)));
                    }
                    pending.clear();
                }
            }
        }
        return routes;
    }

    private static String normalize(String path) {
        return path.replaceAll("\\?.*", "").replaceAll("\\{[^}]*}", "{}");
    }
}
