package io.m365connector.graph;

import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiClientBuilder;
import com.microsoft.kiota.RequestAdapter;
import com.microsoft.kiota.serialization.FormParseNodeFactory;
import com.microsoft.kiota.serialization.FormSerializationWriterFactory;
import com.microsoft.kiota.serialization.JsonParseNodeFactory;
import com.microsoft.kiota.serialization.JsonSerializationWriterFactory;
import com.microsoft.kiota.serialization.MultipartSerializationWriterFactory;
import com.microsoft.kiota.serialization.ParseNode;
import com.microsoft.kiota.serialization.ParseNodeFactory;
import com.microsoft.kiota.serialization.ParseNodeFactoryRegistry;
import com.microsoft.kiota.serialization.SerializationWriter;
import com.microsoft.kiota.serialization.SerializationWriterFactory;
import com.microsoft.kiota.serialization.SerializationWriterFactoryRegistry;
import com.microsoft.kiota.serialization.TextParseNodeFactory;
import com.microsoft.kiota.serialization.TextSerializationWriterFactory;
import java.io.InputStream;

/**
 * A session's way to Graph: the SDK's request adapter (authentication, claims challenges, middleware, error mapping),
 * which {@link GraphJsonRequests} send through, and the SDK's fluent client for the calls that still use its request
 * builders, made on the first such call.
 *
 * <p>Why not a {@code GraphServiceClient} up front: its constructor registers Kiota's JSON factories, whose construction
 * builds Kiota's Gson (136 classes) that a request with a JSON body of our own never uses; a cold send paid for it. The
 * adapter here gets the same factories as the SDK's client registers (JSON, text, form; multipart for writing), in
 * registries of its own, the JSON ones made when a request first needs them (a Graph error's body is parsed with them).
 */
public final class GraphClient {
    private static final String JSON = "application/json";
    private static final ParseNodeFactoryRegistry PARSERS = new ParseNodeFactoryRegistry();
    private static final SerializationWriterFactoryRegistry WRITERS = new SerializationWriterFactoryRegistry();

    static {
        PARSERS.contentTypeAssociatedFactories.put(JSON, new LazyJsonParsers());
        PARSERS.contentTypeAssociatedFactories.put("text/plain", new TextParseNodeFactory());
        PARSERS.contentTypeAssociatedFactories.put("application/x-www-form-urlencoded", new FormParseNodeFactory());
        WRITERS.contentTypeAssociatedFactories.put(JSON, new LazyJsonWriters());
        WRITERS.contentTypeAssociatedFactories.put("text/plain", new TextSerializationWriterFactory());
        WRITERS.contentTypeAssociatedFactories.put("application/x-www-form-urlencoded", new FormSerializationWriterFactory());
        WRITERS.contentTypeAssociatedFactories.put("multipart/form-data", new MultipartSerializationWriterFactory());
        // As the SDK's client does to its registries (enableBackingStore), once, here: a client made later by sdk() then
        // finds them wrapped and leaves these shared maps alone.
        ApiClientBuilder.enableBackingStoreForParseNodeFactory(PARSERS);
        ApiClientBuilder.enableBackingStoreForSerializationWriterFactory(WRITERS);
    }

    private final RequestAdapter adapter;
    private GraphServiceClient sdk;

    GraphClient(RequestAdapter adapter) {
        this.adapter = adapter;
    }

    /** The factories an adapter of this class parses and writes with. */
    static ParseNodeFactory parsers() {
        return PARSERS;
    }

    static SerializationWriterFactory writers() {
        return WRITERS;
    }

    /** The request adapter: every request of the session, its own JSON or a builder's, goes through it. */
    public RequestAdapter adapter() {
        return adapter;
    }

    /** The SDK's fluent client on the same adapter, for calls made with its request builders. Not shared across threads. */
    public GraphServiceClient sdk() {
        if (sdk == null) {
            sdk = new GraphServiceClient(adapter);
        }
        return sdk;
    }

    /** Made on first use (the holder idiom): the Kiota JSON factories and the Gson they build. */
    private static final class Json {
        static final JsonParseNodeFactory PARSERS = new JsonParseNodeFactory();
        static final JsonSerializationWriterFactory WRITERS = new JsonSerializationWriterFactory();
    }

    private static final class LazyJsonParsers implements ParseNodeFactory {
        @Override
        public String getValidContentType() {
            return JSON;
        }

        @Override
        public ParseNode getParseNode(String contentType, InputStream rawResponse) {
            return Json.PARSERS.getParseNode(contentType, rawResponse);
        }
    }

    private static final class LazyJsonWriters implements SerializationWriterFactory {
        @Override
        public String getValidContentType() {
            return JSON;
        }

        @Override
        public SerializationWriter getSerializationWriter(String contentType) {
            return Json.WRITERS.getSerializationWriter(contentType);
        }
    }
}
