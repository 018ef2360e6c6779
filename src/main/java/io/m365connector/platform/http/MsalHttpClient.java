package io.m365connector.platform.http;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * MSAL4J's HTTP hook on the shared OkHttp client. MSAL sends every request here (authorize-code
 * redemption, refresh, metadata), which is what lets the route table in tests reach a fake Entra ID
 * at the real host name even for silent refreshes that MSAL addresses to port 443.
 */
public final class MsalHttpClient implements IHttpClient {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded; charset=utf-8");

    private final OkHttpClient client;

    MsalHttpClient(OkHttpClient client) {
        this.client = client;
    }

    /**
     * The shared stack for MSAL4J: every token request, including silent refreshes, goes through it. Made here and
     * not by {@link OutboundHttp}, so that code using only the HTTP stack (the notification receiver) never loads MSAL.
     */
    public static IHttpClient over(OutboundHttp http) {
        return new MsalHttpClient(http.okHttp());
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws IOException {
        Request.Builder builder = new Request.Builder().url(request.url());
        if (request.headers() != null) {
            request.headers().forEach((name, value) -> {
                if (value != null) {
                    builder.header(name, value);
                }
            });
        }
        String method = request.httpMethod().methodName;
        RequestBody body = null;
        if (request.body() != null) {
            String contentType = request.headerValue("Content-Type");
            body = RequestBody.create(request.body(), contentType == null ? FORM : MediaType.get(contentType));
        } else if (method.equals("POST") || method.equals("PUT")) {
            body = RequestBody.create(new byte[0], FORM);
        }
        builder.method(method, body);
        try (Response response = client.newCall(builder.build()).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody == null ? "" : responseBody.string();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(response.headers().toMultimap());
            int status = response.code();
            return new Response4Msal(status, headers, text);
        }
    }

    private record Response4Msal(int statusCode, Map<String, List<String>> headers, String body) implements IHttpResponse {
        @Override
        public String toString() {
            return "MsalResponse[status=" + statusCode + "]";
        }
    }
}
