package io.m365connector.app;

import static com.azure.data.tables.implementation.TableSasUtils.computeHmac256;
import static com.azure.data.tables.implementation.TableUtils.parseQueryStringSplitValues;

import com.azure.core.credential.AzureNamedKeyCredential;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.net.URL;
import java.util.Arrays;
import reactor.core.publisher.Mono;

/**
 * Signs a Table request with the account key (Table service SharedKeyLite: the date and the canonicalized resource,
 * HMAC-SHA256), as azure-data-tables' {@code TableAzureNamedKeyCredentialPolicy} does, with the same helpers; unlike it,
 * it also signs on the synchronous path, so a synchronous Table call never goes through reactor
 * ({@link SharedKeyTablePipeline}). Placed after the date policy and inside the retry loop: every try is signed anew.
 */
record SharedKeyLitePolicy(AzureNamedKeyCredential credential) implements HttpPipelinePolicy {
    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        sign(context.getHttpRequest());
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        sign(context.getHttpRequest());
        return next.processSync();
    }

    private void sign(HttpRequest request) {
        request.setHeader("Authorization", authorization(request.getUrl(), request.getHeaders()));
    }

    String authorization(URL url, HttpHeaders headers) {
        String name = credential.getAzureNamedKey().getName();
        String stringToSign = String.join("\n", headers.get("x-ms-date") != null ? "" : valueOrEmpty(headers, "Date"),
                canonicalizedResource(url, name));
        return "SharedKeyLite " + name + ":" + computeHmac256(credential.getAzureNamedKey().getKey(), stringToSign);
    }

    private static String valueOrEmpty(HttpHeaders headers, String name) {
        return headers.get(name) == null ? "" : headers.get(name).getValue();
    }

    /** "/account/path", and "?comp=" with the sorted values of a comp parameter if the URL has one. */
    private static String canonicalizedResource(URL url, String account) {
        StringBuilder resource = new StringBuilder("/").append(account)
                .append(url.getPath().isEmpty() ? "/" : url.getPath());
        if (url.getQuery() != null) {
            String[] comp = parseQueryStringSplitValues(url.getQuery()).get("comp");
            if (comp != null) {
                Arrays.sort(comp);
                resource.append("?comp=").append(String.join(",", comp));
            }
        }
        return resource.toString();
    }

    @Override
    public String toString() {
        return "SharedKeyLitePolicy[" + credential.getAzureNamedKey().getName() + "]";
    }
}
