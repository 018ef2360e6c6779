package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AzureNamedKeyCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipeline;
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
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Settings.StorageSettings;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
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

    /** Each kind of call the connector makes, against a client that answers 503 once and then a Table error. */
    private static final Map<String, Consumer<TableServiceClient>> CALLS = new LinkedHashMap<>();

    static {
        CALLS.put("get an entity", service -> service.getTableClient("Connections").getEntity("tenant|user", "row'with quote"));
        CALLS.put("query with a filter", service -> service.getTableClient("SyncChanges")
                .listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq 'p' and RowKey gt '00001'").setTop(100), null, null)
                .iterator().hasNext());
        CALLS.put("create a table", service -> service.createTableIfNotExists("IdempotencyKeys"));
        CALLS.put("insert", service -> service.getTableClient("Connections").createEntity(new TableEntity("p", "r").addProperty("Status", "connected")));
        CALLS.put("replace", service -> service.getTableClient("Connections")
                .updateEntity(new TableEntity("p", "r").addProperty("Status", "revoked"), TableEntityUpdateMode.REPLACE));
        CALLS.put("merge", service -> service.getTableClient("Connections")
                .updateEntity(new TableEntity("p", "r").addProperty("Status", "revoked"), TableEntityUpdateMode.MERGE));
        CALLS.put("upsert (merge)", service -> service.getTableClient("OwnerIndex").upsertEntity(new TableEntity("p", "r")));
        CALLS.put("transaction", service -> service.getTableClient("ItemIndex").submitTransaction(List.of(
                new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, new TableEntity("p", "1")),
                new TableTransactionAction(TableTransactionActionType.DELETE, new TableEntity("p", "2")))));
        CALLS.put("delete", service -> service.getTableClient("Connections").deleteEntity("p", "r"));
        CALLS.put("service properties (comp=properties)", TableServiceClient::getProperties);
        CALLS.put("list tables", service -> service.listTables().iterator().hasNext());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=KEY;EndpointSuffix=core.usgovcloudapi.net",
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=KEY;EndpointSuffix=core.chinacloudapi.cn",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=DEVSTORE_KEY;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
            "UseDevelopmentStorage=true"})
    void whenTheConnectionStringHasAnAccountKeyThenEveryRequestIsTheOneTheSdksBuilderSendsAndSignedAsItSigns(String template) throws Exception {
        String connectionString = template.replace("DEVSTORE_KEY", DEVSTORE_KEY).replace("KEY", KEY);
        String account = connectionString.contains("contoso") ? "contoso" : "devstoreaccount1";
        String key = connectionString.contains("contoso") ? KEY : DEVSTORE_KEY;
        Capture sdkHttp = new Capture();
        Capture ourHttp = new Capture();
        TableServiceClient sdk = new TableServiceClientBuilder().connectionString(connectionString).httpClient(sdkHttp)
                .retryPolicy(new RetryPolicy(new FixedDelay(new FixedDelayOptions(1, Duration.ZERO)))).buildClient();
        TableServiceClient ours = AzureClients.tableService(new StorageSettings(Optional.of(connectionString), Optional.empty()),
                HostingCloud.GLOBAL, () -> { throw new AssertionError("no credential for a connection string"); }, ourHttp, duration -> { });

        List<String> expectedPolicies = policies(sdk).stream()
                .map(name -> name.equals("TableAzureNamedKeyCredentialPolicy") ? "SharedKeyLitePolicy" : name).toList();
        assertEquals(expectedPolicies, policies(ours), "the SDK builder's pipeline with the one policy swapped");
        for (Map.Entry<String, Consumer<TableServiceClient>> call : CALLS.entrySet()) {
            List<HttpRequest> expected = sdkHttp.requestsOf(() -> call(call.getValue(), sdk));
            List<HttpRequest> actual = ourHttp.requestsOf(() -> call(call.getValue(), ours));

            assertEquals(2, expected.size(), call.getKey() + ": the SDK's client tried again after the 503");
            assertEquals(2, actual.size(), call.getKey() + ": tried again after the 503");
            for (int i = 0; i < 2; i++) {
                String what = call.getKey() + ", try " + (i + 1);
                assertEquals(expected.get(i).getHttpMethod() + " " + expected.get(i).getUrl(), actual.get(i).getHttpMethod() + " " + actual.get(i).getUrl(), what);
                assertEquals(comparable(expected.get(i).getHeaders()), comparable(actual.get(i).getHeaders()), what + ": the headers");
                String authorization = actual.get(i).getHeaders().getValue("Authorization");
                assertTrue(authorization.startsWith("SharedKeyLite " + account + ":"), what + ": " + authorization);
                assertEquals(sdkSignature(actual.get(i), account, key), authorization, what + ": signed as the SDK signs it");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "TableEndpoint=https://contoso.table.core.windows.net/;SharedAccessSignature=sv=2019-02-02&ss=t&srt=sco&sp=rwdlacu&se=2030-01-01T00:00:00Z&sig=abc%3D",
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=KEY;TableEndpoint=https://contoso.table.cosmos.azure.com:443/;"})
    void whenTheConnectionStringCarriesASasOrNamesCosmosDbThenTheSdksOwnPipelineServesIt(String template) throws Exception {
        String connectionString = template.replace("KEY", KEY);
        assertFalse(SharedKeyTablePipeline.forConnectionString(connectionString, new Capture(), new RetryPolicy()).isPresent());
        TableServiceClient service = AzureClients.tableService(new StorageSettings(Optional.of(connectionString), Optional.empty()),
                HostingCloud.GLOBAL, () -> { throw new AssertionError(); }, new Capture(), duration -> { });
        assertFalse(policies(service).contains("SharedKeyLitePolicy"), "the SDK's pipeline: " + policies(service));
    }

    /** The policy classes of a client's pipeline, in order (the SDK keeps its getter package-private). */
    private static List<String> policies(TableServiceClient service) throws ReflectiveOperationException {
        Method getter = TableServiceClient.class.getDeclaredMethod("getHttpPipeline");
        getter.setAccessible(true);
        HttpPipeline pipeline = (HttpPipeline) getter.invoke(service);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            names.add(pipeline.getPolicy(i).getClass().getSimpleName());
        }
        return names;
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
            kept.put(name, List.of("date", "x-ms-date", "x-ms-client-request-id", "authorization").contains(name) ? "(present)"
                    : header.getValue().replaceAll("batch_[0-9a-f-]{36}", "batch_(random)"));
        }
        return kept;
    }

    /** What the SDK's own policy puts in Authorization for this request (its method to compute it is not public). */
    private static String sdkSignature(HttpRequest request, String account, String key) {
        Capture signed = new Capture();
        HttpRequest copy = new HttpRequest(request.getHttpMethod(), request.getUrl(), new HttpHeaders(request.getHeaders()));
        copy.getHeaders().remove("Authorization");
        return signed.requestsOf(() -> new HttpPipelineBuilder().httpClient(signed)
                        .policies(new TableAzureNamedKeyCredentialPolicy(new AzureNamedKeyCredential(account, key)))
                        .build().sendSync(copy, Context.NONE).close())
                .get(0).getHeaders().getValue("Authorization");
    }

    /** Records each request; answers a call's first request 503 and the others 409 with a Table error body. */
    private static final class Capture implements HttpClient {
        private final List<HttpRequest> requests = new ArrayList<>();

        List<HttpRequest> requestsOf(Runnable call) {
            requests.clear();
            call.run();
            return List.copyOf(requests);
        }

        @Override
        public Mono<HttpResponse> send(HttpRequest request) {
            return Mono.fromCallable(() -> sendSync(request, Context.NONE));
        }

        @Override
        public HttpResponse sendSync(HttpRequest request, Context context) {
            requests.add(request.copy());
            return new Answer(request, requests.size() == 1 ? 503 : 409);
        }
    }

    private static final class Answer extends HttpResponse {
        private static final byte[] BODY = "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"exists\"}}}"
                .getBytes(StandardCharsets.UTF_8);

        private final int status;

        Answer(HttpRequest request, int status) {
            super(request);
            this.status = status;
        }

        @Override
        public int getStatusCode() {
            return status;
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
