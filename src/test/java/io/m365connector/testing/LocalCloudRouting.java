package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.OkHttpClient;

/**
 * The test route table: the real cloud host names go to local HTTPS fakes. DNS answers a loopback
 * address of its own for each routed host (the address keeps the host name), and the socket factory
 * swaps port 443 for the fake's port. URLs, Host headers, TLS SNI and certificate checks all keep the real names, so a
 * wrong host in production code reaches no fake and fails. Hosts that are not routed and not
 * loopback are refused: no test can reach the internet by accident.
 */
public final class LocalCloudRouting implements HostRouting {
    private final Map<String, Integer> exactHosts = new ConcurrentHashMap<>();
    private final Map<String, Integer> hostSuffixes = new ConcurrentHashMap<>();
    /**
     * Each routed host gets its own loopback address. With one shared address OkHttp would coalesce
     * HTTP/2 connections across hosts (same IP, and the test certificate names every host) and send,
     * say, a token request down a connection opened to the Key Vault fake.
     */
    private final Map<String, byte[]> addresses = new ConcurrentHashMap<>();
    private final Queue<Refusal> refusals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger nextAddress = new AtomicInteger(2);

    /** Sends {@code host} (for example {@code graph.microsoft.us}) to {@code 127.0.0.1:port}. */
    public LocalCloudRouting route(String host, int port) {
        exactHosts.put(host, port);
        return this;
    }

    /** Sends every host ending in {@code suffix} (for example {@code .vault.azure.net}) to {@code 127.0.0.1:port}. */
    public LocalCloudRouting routeSuffix(String suffix, int port) {
        hostSuffixes.put(suffix, port);
        return this;
    }

    /** The route table as text lines ({@code host port}, suffixes with a leading dot), for a child process. */
    public List<String> export() {
        List<String> lines = new java.util.ArrayList<>();
        exactHosts.forEach((host, port) -> lines.add(host + " " + port));
        hostSuffixes.forEach((suffix, port) -> lines.add("*" + suffix + " " + port));
        return lines;
    }

    /** A route table read back from {@link #export()}. */
    public static LocalCloudRouting imported(List<String> lines) {
        LocalCloudRouting routing = new LocalCloudRouting();
        for (String line : lines) {
            String[] parts = line.trim().split(" ");
            if (parts[0].startsWith("*")) {
                routing.routeSuffix(parts[0].substring(1), Integer.parseInt(parts[1]));
            } else {
                routing.route(parts[0], Integer.parseInt(parts[1]));
            }
        }
        return routing;
    }

    public Integer portFor(String host) {
        Integer port = exactHosts.get(host);
        if (port != null) {
            return port;
        }
        for (Map.Entry<String, Integer> e : hostSuffixes.entrySet()) {
            if (host.endsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * The next request to {@code host} with this method whose path (without {@code /v1.0}) matches
     * {@code pathRegex} fails as if the connection were refused: before a byte of it is sent (a
     * {@link java.net.ConnectException} from the HTTP stack, whatever connection it would reuse).
     */
    public void refuseNext(String host, String method, String pathRegex) {
        refusals.add(new Refusal(host, method, Pattern.compile(pathRegex)));
    }

    private record Refusal(String host, String method, Pattern path) {
        boolean matches(okhttp3.Request request) {
            String p = request.url().encodedPath().replaceFirst("^/v1\\.0(?=/)", "");
            return request.url().host().equals(host) && request.method().equalsIgnoreCase(method) && path.matcher(p).matches();
        }
    }

    @Override
    public void applyTo(OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> {
            if (takeRefusal(chain.request())) {
                throw new ConnectException("Connection refused: " + chain.request().url().host() + " (refused by the test route table)");
            }
            return chain.proceed(chain.request());
        });
        builder.dns(this::lookup)
                .socketFactory(new RoutingSocketFactory())
                .sslSocketFactory(TestPki.shared().clientContext().getSocketFactory(), TestPki.shared().trustManager());
    }

    private boolean takeRefusal(okhttp3.Request request) {
        for (Refusal refusal : refusals) {
            if (refusal.matches(request) && refusals.remove(refusal)) {
                return true;
            }
        }
        return false;
    }

    private List<InetAddress> lookup(String host) throws UnknownHostException {
        if (portFor(host) != null) {
            byte[] address = addresses.computeIfAbsent(host, h -> {
                int n = nextAddress.getAndIncrement();
                return new byte[] {127, 0, (byte) (n / 250), (byte) (n % 250 + 1)};
            });
            return List.of(InetAddress.getByAddress(host, address));
        }
        if (host.equals("localhost") || host.equals("127.0.0.1")) {
            return Dns.SYSTEM.lookup(host);
        }
        throw new UnknownHostException(host + " is not routed to a local fake in this test");
    }

    private final class RoutingSocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public void connect(SocketAddress endpoint, int timeout) throws IOException {
                    super.connect(reroute(endpoint), timeout);
                }
            };
        }

        private SocketAddress reroute(SocketAddress endpoint) {
            if (endpoint instanceof InetSocketAddress inet && inet.getAddress() != null) {
                Integer port = portFor(inet.getAddress().getHostName());
                if (port != null) {
                    return new InetSocketAddress(inet.getAddress(), port);
                }
            }
            return endpoint;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return createSocket(address, port);
        }
    }
}
