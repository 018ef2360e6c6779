package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AzureNamedKeyCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.data.tables.TableAzureNamedKeyCredentialPolicy;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Settings.StorageSettings;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A storage connection string with an account key gets {@link SharedKeyTablePipeline}: every request it sends must be the
 * one azure-data-tables' own builder sends for the same call (URL, method, headers), and its Authorization must be the
 * one the SDK's {@code TableAzureNamedKeyCredentialPolicy} computes for that request. A wrong canonical resource or
 * string to sign would be refused by Storage with 403 on every call; Azurite, which the other tests use, checks the
 * signature too.
 */
class SharedKeyTablePipelineTest {
    private static final String KEY = Base64.getEncoder().encodeToString("a key of sixty-four bytes, as a storage account has one.........".getBytes(StandardCharsets.US_ASCII));
    private static final String DEVSTORE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /** Each call the connector makes, against a client that answers every request with a Table error. */
    private static final Map<String, Consumer<TableServiceClient>> CALLS = Map.of(
            "get an entity", service -> service.getTableClient("Connections").getEntity("tenant|user", "row'with quote"),
            "query with a filter", service -> service.getTableClient("SyncChanges")
                    .listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq 'p' and RowKey gt '00001'").setTop(100), null, null)
                    .iterator().hasNext(),
            "create a table", service -> service.createTableIfNotExists("IdempotencyKeys"),
            "insert", service -> service.getTableClient("Connections").createEntity(new TableEntity("p", "r").addProperty("Status", "connected")),
            "replace if unchanged", service -> service.getTableClient("Connections")
                    .updateEntity(new TableEntity("p", "r").addProperty("Status", "revoked"), TableEntityUpdateMode.REPLACE),
            "delete", service -> service.getTableClient("Connections").deleteEntity("p", "r"),
            "service properties (comp=properties)", TableServiceClient::getProperties,
            "list tables", service -> service.listTables().iterator().hasNext());

    @ParameterizedTest
    @ValueSource(strings = {
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + "KEY" + ";EndpointSuffix=core.usgovcloudapi.net",
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + "KEY" + ";EndpointSuffix=core.chinacloudapi.cn",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + "DEVSTORE_KEY" + ";TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
            "UseDevelopmentStorage=true"})
    void whenTheConnectionStringHasAnAccountKeyThenEveryRequestIsTheOneTheSdksBuilderSendsAndSignedAsItSigns(String template) {
        String connectionString = template.replace("DEVSTORE_KEY", DEVSTORE_KEY).replace("KEY", KEY);
        String account = connectionString.contains("contoso") ? "contoso" : "devstoreaccount1";
        String key = connectionString.contains("contoso") ? KEY : DEVSTORE_KEY;
        for (Map.Entry<String, Consumer<TableServiceClient>> call : CALLS.entrySet()) {
            Capture sdk = new Capture();
            Capture ours = new Capture();
            call(call.getValue(), new TableServiceClientBuilder().connectionString(connectionString).httpClient(sdk).retryPolicy(oneTry()).buildClient());
            call(call.getValue(), AzureClients.tableService(new StorageSettings(Optional.of(connectionString), Optional.empty()), HostingCloud.GLOBAL,
                    () -> { throw new AssertionError("no credential for a connection string"); }, ours, duration -> { }));

            assertEquals(1, ours.requests.size(), call.getKey());
            HttpRequest expected = sdk.requests.get(0);
            HttpRequest actual = ours.requests.get(0);
            assertEquals(expected.getHttpMethod() + " " + expected.getUrl(), actual.getHttpMethod() + " " + actual.getUrl(), call.getKey());
            assertEquals(comparable(expected.getHeaders()), comparable(actual.getHeaders()), call.getKey() + ": the headers");
            String authorization = actual.getHeaders().getValue("Authorization");
            assertTrue(authorization.startsWith("SharedKeyLite " + account + ":"), call.getKey() + ": " + authorization);
            assertEquals(sdkSignature(actual, account, key), authorization, call.getKey() + ": signed as the SDK signs it");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "TableEndpoint=https://contoso.table.core.windows.net/;SharedAccessSignature=sv=2019-02-02&ss=t&srt=sco&sp=rwdlacu&se=2030-01-01T00:00:00Z&sig=abc%3D"})
    void whenTheConnectionStringCarriesASasThenTheSdksOwnPipelineServesIt(String connectionString) {
        assertFalse(SharedKeyTablePipeline.forConnectionString(connectionString, new Capture(), oneTry()).isPresent());
        Capture ours = new Capture();
        call(CALLS.get("get an entity"), AzureClients.tableService(new StorageSettings(Optional.of(connectionString), Optional.empty()),
                HostingCloud.GLOBAL, () -> { throw new AssertionError(); }, ours, duration -> { }));
        assertTrue(ours.requests.get(0).getUrl().getQuery().contains("sig=abc"), "signed with the SAS: " + ours.requests.get(0).getUrl());
    }

    private static void call(Consumer<TableServiceClient> call, TableServiceClient service) {
        try {
            call.accept(service);
        } catch (HttpResponseException expected) {
            // Every request is answered 409 (see Capture): only the request matters here.
        }
    }

    /** The headers, with the values that change between two sends of the same call (date, request id, signature) only as present. */
    private static Map<String, String> comparable(HttpHeaders headers) {
        Map<String, String> kept = new TreeMap<>();
        for (HttpHeader header : headers) {
            String name = header.getName().toLowerCase();
            kept.put(name, List.of("date", "x-ms-date", "x-ms-client-request-id", "authorization").contains(name) ? "(present)" : header.getValue());
        }
        return kept;
    }

    /** What the SDK's own policy puts in Authorization for this request (its method to compute it is not public). */
    private static String sdkSignature(HttpRequest request, String account, String key) {
        Capture signed = new Capture();
        HttpRequest copy = new HttpRequest(request.getHttpMethod(), request.getUrl(), new HttpHeaders(request.getHeaders()));
        copy.getHeaders().remove("Authorization");
        new HttpPipelineBuilder().httpClient(signed).policies(new TableAzureNamedKeyCredentialPolicy(new AzureNamedKeyCredential(account, key)))
                .build().sendSync(copy, Context.NONE).close();
        return signed.requests.get(0).getHeaders().getValue("Authorization");
    }

    private static RetryPolicy oneTry() {
        return new RetryPolicy(new FixedDelay(new FixedDelayOptions(0, Duration.ZERO)));
    }

    /** Records each request and answers it 409 with a Table error body, on both the reactive and the synchronous path. */
    private static final class Capture implements HttpClient {
        final List<HttpRequest> requests = new ArrayList<>();

        @Override
        public Mono<HttpResponse> send(HttpRequest request) {
            return Mono.fromCallable(() -> sendSync(request, Context.NONE));
        }

        @Override
        public HttpResponse sendSync(HttpRequest request, Context context) {
            requests.add(request);
            return new Answer(request);
        }
    }

    private static final class Answer extends HttpResponse {
        private static final byte[] BODY = "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"exists\"}}}"
                .getBytes(StandardCharsets.UTF_8);

        Answer(HttpRequest request) {
            super(request);
        }

        @Override
        public int getStatusCode() {
            return 409;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return getHeaders().getValue(name);
        }

        @Override
        public HttpHeaders getHeaders() {
            return new HttpHeaders().set("Content-Type", "application/json;odata=minimalmetadata;streaming=true;charset=utf-8");
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.just(ByteBuffer.wrap(BODY));
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.just(BODY);
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.just(new String(BODY, StandardCharsets.UTF_8));
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.just(new String(BODY, charset));
        }

        @Override
        public BinaryData getBodyAsBinaryData() {
            return BinaryData.fromBytes(BODY);
        }
    }
}
