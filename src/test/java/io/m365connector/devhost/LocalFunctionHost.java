package io.m365connector.devhost;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.app.AppContext;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A development harness, not a runtime: serves the app's HTTP functions on loopback the way the
 * Azure Functions host does, from the same annotations (route under /api, methods, auth level),
 * creating a function instance per invocation through the app's {@link AppContext}. Function-key
 * routes need the key in {@code x-functions-key} or {@code ?code=}. Used by the no-tenant demo and
 * the browser tests because Azure Functions Core Tools cannot be installed everywhere; a test checks
 * that its routes equal the function.json files the build generates.
 */
public final class LocalFunctionHost implements AutoCloseable {
    /**
     * The JDK's HTTP server logs whole request lines at FINE, query included: that would put
     * authorization codes from the callback in the log (the log-leak test caught it). Held in a field
     * so the level setting is not lost with a collected logger.
     */
    private static final Logger JDK_HTTP_SERVER_LOG = quiet("com.sun.net.httpserver");

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.INFO);
        return logger;
    }

    /** One HTTP function as the Functions host would expose it. */
    public record Route(String functionName, Set<String> methods, String template, AuthorizationLevel authLevel,
                        Class<?> functionClass, Method method) {
    }

    private final AppContext context;
    private final String functionKey;
    private final Map<String, String> redirectRewrites;
    private final List<Route> routes;
    private final HttpServer server;

    /**
     * @param redirectRewrites Location prefixes to rewrite for a browser that cannot reach the real host
     *                         (the demo sends https://login.microsoftonline.com/ to a local proxy of the fake)
     */
    public LocalFunctionHost(AppContext context, String host, int port, String functionKey, Map<String, String> redirectRewrites) throws IOException {
        this.context = context;
        this.functionKey = functionKey;
        this.redirectRewrites = Map.copyOf(redirectRewrites);
        this.routes = routesOf(context.functionClasses());
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Route> routes() {
        return routes;
    }

    /** The HTTP functions declared by these classes' annotations. */
    public static List<Route> routesOf(List<Class<?>> classes) {
        List<Route> routes = new ArrayList<>();
        for (Class<?> type : classes) {
            for (Method method : type.getMethods()) {
                FunctionName name = method.getAnnotation(FunctionName.class);
                if (name == null) {
                    continue;
                }
                for (Parameter parameter : method.getParameters()) {
                    HttpTrigger trigger = parameter.getAnnotation(HttpTrigger.class);
                    if (trigger != null) {
                        Set<String> methods = new TreeSet<>();
                        Arrays.stream(trigger.methods()).forEach(m -> methods.add(m.name()));
                        routes.add(new Route(name.value(), methods, trigger.route(), trigger.authLevel(), type, method));
                    }
                }
            }
        }
        return List.copyOf(routes);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // The Functions host reads the whole body before a function (or a refusal) answers.
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = exchange.getRequestURI().getRawPath();
            if (!path.startsWith("/api/")) {
                send(exchange, 404, Map.of("Content-Type", "text/plain"), "Not found: functions are under /api/");
                return;
            }
            String relative = path.substring("/api/".length());
            for (Route route : routes) {
                Map<String, String> params = match(route.template(), relative);
                if (params == null) {
                    continue;
                }
                if (!route.methods().contains(exchange.getRequestMethod().toUpperCase(Locale.ROOT))) {
                    continue;
                }
                if (route.authLevel() != AuthorizationLevel.ANONYMOUS && !keyMatches(exchange)) {
                    send(exchange, 401, Map.of("Content-Type", "text/plain"), "A function key is required (x-functions-key header or ?code=).");
                    return;
                }
                invoke(exchange, route, params, body);
                return;
            }
            send(exchange, 404, Map.of("Content-Type", "text/plain"), "No function for " + exchange.getRequestMethod() + " " + path);
        } catch (RuntimeException e) {
            send(exchange, 500, Map.of("Content-Type", "text/plain"), "Local host error: " + e.getClass().getSimpleName());
        }
    }

    private void invoke(HttpExchange exchange, Route route, Map<String, String> pathParams, byte[] body) throws IOException {
        Map<String, String> decoded = new LinkedHashMap<>();
        for (Map.Entry<String, String> param : pathParams.entrySet()) {
            try {
                decoded.put(param.getKey(), URLDecoder.decode(param.getValue(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // The Functions host (Kestrel) refuses a request target with a malformed percent-escape.
                send(exchange, 400, Map.of("Content-Type", "text/plain"), "Bad request: the path has a malformed percent-escape.");
                return;
            }
        }
        String url = "http://" + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI();
        FakeHttpRequest request = FakeHttpRequest.of(HttpMethod.valueOf(exchange.getRequestMethod().toUpperCase(Locale.ROOT)), url);
        exchange.getRequestHeaders().forEach((name, values) -> request.header(name, String.join(", ", values)));
        if (body.length > 0) {
            request.body(new String(body, StandardCharsets.UTF_8));
        }
        Object[] args = new Object[route.method().getParameterCount()];
        Parameter[] parameters = route.method().getParameters();
        for (int i = 0; i < parameters.length; i++) {
            BindingName binding = parameters[i].getAnnotation(BindingName.class);
            if (parameters[i].getAnnotation(HttpTrigger.class) != null) {
                args[i] = request;
            } else if (binding != null) {
                args[i] = decoded.get(binding.value());
            } else if (ExecutionContext.class.isAssignableFrom(parameters[i].getType())) {
                args[i] = new FakeExecutionContext(route.functionName());
            }
        }
        HttpResponseMessage response;
        try {
            Object instance = context.newFunction(route.functionClass());
            response = (HttpResponseMessage) route.method().invoke(instance, args);
        } catch (IllegalAccessException | InvocationTargetException e) {
            send(exchange, 500, Map.of("Content-Type", "text/plain"), "Function " + route.functionName() + " failed: "
                    + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName());
            return;
        }
        FakeHttpResponse r = (FakeHttpResponse) response;
        Map<String, String> headers = new LinkedHashMap<>(r.headers());
        String location = headers.get("Location");
        if (location != null) {
            for (Map.Entry<String, String> rewrite : redirectRewrites.entrySet()) {
                if (location.startsWith(rewrite.getKey())) {
                    headers.put("Location", rewrite.getValue() + location.substring(rewrite.getKey().length()));
                }
            }
        }
        send(exchange, r.getStatusCode(), headers, r.bodyText());
    }

    private boolean keyMatches(HttpExchange exchange) {
        String key = exchange.getRequestHeaders().getFirst("x-functions-key");
        if (key == null) {
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("code=")) {
                        key = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return key != null && MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), functionKey.getBytes(StandardCharsets.UTF_8));
    }

    /** Route template matching as the Functions host does for these templates: literal segments and {name} segments. */
    static Map<String, String> match(String template, String path) {
        String[] t = template.split("/");
        String[] p = path.split("/", -1);
        if (t.length != p.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith("{") && t[i].endsWith("}")) {
                if (p[i].isEmpty()) {
                    return null;
                }
                params.put(t[i].substring(1, t[i].length() - 1), p[i]);
            } else if (!t[i].equalsIgnoreCase(p[i])) {
                return null;
            }
        }
        return params;
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
