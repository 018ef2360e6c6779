package io.m365connector.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The webhook events docs/openapi.yaml documents under {@code webhooks:} (one entry per event type, its request body a
 * component schema): a delivery the connector really sent must be valid against the schema of its type, read strictly
 * (no property the schema does not name, in nested objects too), though the published schemas stay open to new fields.
 */
public final class WebhookSchemas {
    private static final String DOCUMENT_IRI = "https://m365-connector.invalid/openapi.json";
    private static final JsonNode DOC;
    private static final SchemaRegistry REGISTRY;

    static {
        try {
            DOC = new YAMLMapper().readTree(Path.of("docs", "openapi.yaml").toFile());
            // The published schemas let later versions add fields; the deliveries of this version must have none undocumented.
            JsonNode strict = DOC.deepCopy();
            closeObjects(strict.path("components").path("schemas"));
            String json = new ObjectMapper().writeValueAsString(strict);
            REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build())
                    .schemas(Map.of(DOCUMENT_IRI, json)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WebhookSchemas() {
    }

    /** Every object schema with properties, nested ones too, refuses properties it does not name. */
    private static void closeObjects(JsonNode node) {
        if (node instanceof ObjectNode object && object.has("properties") && !object.has("additionalProperties")) {
            object.put("additionalProperties", false);
        }
        node.forEach(WebhookSchemas::closeObjects);
    }

    /** The component schema ({@code #/components/schemas/…}) documented for events of {@code type}; fails when there is none. */
    public static String schemaOf(String type) {
        JsonNode ref = DOC.path("webhooks").path(type).path("post").path("requestBody").path("content").path("application/json")
                .path("schema").path("$ref");
        if (!ref.isTextual() || !ref.asText().startsWith("#/components/schemas/")) {
            throw new AssertionError("docs/openapi.yaml documents no webhook for event type '" + type + "'");
        }
        return ref.asText();
    }

    /** Fails with the schema's complaints when {@code body} is not what docs/openapi.yaml documents for its type. */
    public static void assertDocumented(String body) {
        String type;
        try {
            type = new ObjectMapper().readTree(body).path("type").asText();
        } catch (IOException e) {
            throw new AssertionError("a webhook body that is not JSON: " + body, e);
        }
        List<String> errors = REGISTRY.getSchema(SchemaLocation.of(DOCUMENT_IRI + schemaOf(type))).validate(body, InputFormat.JSON).stream()
                .map(Object::toString).toList();
        if (!errors.isEmpty()) {
            throw new AssertionError("the '" + type + "' webhook differs from docs/openapi.yaml: " + errors + "\n" + body);
        }
    }
}
