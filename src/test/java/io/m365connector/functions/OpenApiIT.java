package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.m365connector.actions.EventRequest;
import io.m365connector.actions.MailRequest;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connect.CallbackParams;
import io.m365connector.connect.CompletionRequest;
import io.m365connector.connect.StartRequest;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Feature;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.scheduling.AvailabilityRequest;
import io.m365connector.scheduling.MeetingTimesRequest;
import io.m365connector.scheduling.RoomsRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps docs/openapi.yaml and the code from drifting apart: the routes, methods and auth levels of
 * the packaged function.json files, the problem codes, and the request bodies (every documented
 * example must pass both the JSON Schema and the real parser; bodies the parser refuses must fail
 * the schema too). Runs after `package` because it reads the generated function.json files.
 */
class OpenApiIT {
    static final Path OPENAPI = Path.of("docs", "openapi.yaml");
    /** Where the OpenAPI document is registered for the schema validator; $refs resolve against it. */
    static final String DOCUMENT_IRI = "https://m365-connector.invalid/openapi.json";
    static final List<String> HTTP_METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    static final Set<String> FUNCTION_KEY_SCHEMES = Set.of("functionKey", "functionKeyQuery");
    /** An operator's routes (auth level admin): the host's master key, sent the same two ways. */
    static final Set<String> MASTER_KEY_SCHEMES = Set.of("masterKey", "masterKeyQuery");

    /** operationId -> the parser the function uses for that JSON body. */
    static final Map<String, Consumer<String>> PARSERS = Map.of(
            "createConnection", StartRequest::parse,
            "confirmCompletion", CompletionRequest::parse,
            "sendMail", MailRequest::parse,
            "createEvent", EventRequest::parseCreate,
            "updateEvent", EventRequest::parseUpdate,
            "getAvailability", AvailabilityRequest::parse,
            "findMeetingTimes", MeetingTimesRequest::parse);

    static JsonNode doc;
    static SchemaRegistry registry;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(Files.isRegularFile(OPENAPI), "missing " + OPENAPI.toAbsolutePath());
        doc = new YAMLMapper().readTree(OPENAPI.toFile());
        String json = new ObjectMapper().writeValueAsString(doc);
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build())
                .schemas(Map.of(DOCUMENT_IRI, json)));
    }

    // ---------------------------------------------------------------- routes and auth

    @Test
    void whenDocumentIsReadThenItIsOpenApi31WithTheJsonSchema202012Dialect() {
        assertTrue(doc.path("openapi").asText().startsWith("3.1."), "openapi: 3.1.x");
        assertEquals("https://json-schema.org/draft/2020-12/schema", doc.path("jsonSchemaDialect").asText());
    }

    @Test
    void whenFunctionsArePackagedThenEachHttpRouteAndMethodIsExactlyOneOpenApiOperation() throws IOException {
        Map<String, String> fromFunctions = new TreeMap<>();
        for (HttpFunction f : httpFunctions()) {
            for (String method : f.methods()) {
                String key = method + " /" + f.route();
                String previous = fromFunctions.put(key, f.name());
                assertEquals(null, previous, key + " is bound by two functions: " + previous + " and " + f.name());
            }
        }
        Map<String, JsonNode> fromDocument = operations();
        assertEquals(fromFunctions.keySet(), fromDocument.keySet(),
                "function.json routes/methods (left) and docs/openapi.yaml paths/methods (right) differ");
    }

    @Test
    void whenFunctionHasOneOperationThenItsOperationIdIsTheFunctionName() throws IOException {
        Map<String, JsonNode> operations = operations();
        Set<String> ids = new TreeSet<>();
        for (HttpFunction f : httpFunctions()) {
            for (String method : f.methods()) {
                String id = documented(operations, method + " /" + f.route()).path("operationId").asText(null);
                assertNotNull(id, method + " /" + f.route() + " has no operationId");
                String expected = f.methods().size() == 1 ? f.name()
                        : method.equals("GET") ? f.name() : f.name() + method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
                assertEquals(expected, id, method + " /" + f.route());
                assertTrue(ids.add(id), "duplicate operationId " + id);
            }
        }
    }

    @Test
    void whenAuthLevelIsFunctionThenTheOperationRequiresTheFunctionKeyAdminTheMasterKeyAndAnonymousNone() throws IOException {
        Map<String, JsonNode> operations = operations();
        for (HttpFunction f : httpFunctions()) {
            for (String method : f.methods()) {
                String key = method + " /" + f.route();
                JsonNode operation = documented(operations, key);
                JsonNode security = operation.has("security") ? operation.get("security") : doc.path("security");
                Set<String> schemes = new TreeSet<>();
                boolean optional = false;
                for (JsonNode requirement : security) {
                    optional |= requirement.isEmpty();
                    requirement.fieldNames().forEachRemaining(schemes::add);
                }
                switch (f.authLevel()) {
                    case "function" -> {
                        assertEquals(FUNCTION_KEY_SCHEMES, schemes, key + " must accept the function key (header or code)");
                        assertFalse(optional, key + " must not make the key optional (an empty security requirement)");
                    }
                    case "admin" -> {
                        assertEquals(MASTER_KEY_SCHEMES, schemes, key + " must ask for the host's master key (header or code)");
                        assertFalse(optional, key + " must not make the key optional");
                    }
                    case "anonymous" -> assertTrue(schemes.isEmpty(), key + " is anonymous: security must be [] or absent");
                    default -> fail(key + " has auth level " + f.authLevel() + ", which the document does not describe");
                }
            }
        }
    }

    @Test
    void whenSecuritySchemesAreReadThenTheyAreTheFunctionsHostKeyHeaderAndCodeQuery() {
        JsonNode schemes = doc.path("components").path("securitySchemes");
        Set<String> all = new TreeSet<>(FUNCTION_KEY_SCHEMES);
        all.addAll(MASTER_KEY_SCHEMES);
        assertEquals(all, new TreeSet<>(names(schemes)));
        assertEquals("apiKey header x-functions-key", describe(schemes.get("functionKey")));
        assertEquals("apiKey query code", describe(schemes.get("functionKeyQuery")));
        assertEquals("apiKey header x-functions-key", describe(schemes.get("masterKey")));
        assertEquals("apiKey query code", describe(schemes.get("masterKeyQuery")));
        assertTrue(doc.path("security").isMissingNode() || doc.path("security").isEmpty(),
                "no global security: each operation states its own");
    }

    @Test
    void whenServersAreListedThenEachEndsWithTheHostJsonRoutePrefix() throws IOException {
        String prefix = new ObjectMapper().readTree(FunctionJsonIT.APP.resolve("host.json").toFile())
                .path("extensions").path("http").path("routePrefix").asText();
        assertFalse(doc.path("servers").isEmpty(), "servers are listed");
        for (JsonNode server : doc.path("servers")) {
            assertTrue(server.path("url").asText().endsWith("/" + prefix), server.path("url").asText() + " must end with /" + prefix);
        }
    }

    // ---------------------------------------------------------------- problems and headers

    @Test
    void whenProblemSchemaIsReadThenItsCodeEnumIsEveryProblemCode() {
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/Problem/properties/code/enum").forEach(n -> documented.add(n.asText()));
        Set<String> inCode = Arrays.stream(ProblemCode.values()).map(ProblemCode::code).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(inCode, documented);
        assertEquals(Set.of("type", "title", "status", "code", "detail", "connectionId", "errors", "moreErrors", "adminConsentUrl", "graphCode",
                "retryAfterSeconds", "cloud", "appCredentialCode"), names(doc.at("/components/schemas/Problem/properties")));
    }

    @Test
    void whenIdempotencyKeyIsDocumentedThenItIsOnEveryKeyedActionWithTheServersPattern() throws Exception {
        Field field = ActionFunctions.class.getDeclaredField("IDEMPOTENCY_KEY");
        field.setAccessible(true);
        String serverPattern = ((Pattern) field.get(null)).pattern();
        JsonNode parameter = doc.at("/components/parameters/IdempotencyKey");
        assertEquals("Idempotency-Key", parameter.path("name").asText());
        assertEquals("header", parameter.path("in").asText());
        assertEquals("^" + serverPattern + "$", parameter.at("/schema/pattern").asText());

        Set<String> withKey = new TreeSet<>();
        for (JsonNode operation : operations().values()) {
            for (JsonNode p : operation.path("parameters")) {
                if (p.path("$ref").asText().equals("#/components/parameters/IdempotencyKey")) {
                    withKey.add(operation.path("operationId").asText());
                }
            }
        }
        assertEquals(Set.of("sendMail", "createEvent", "updateEvent", "cancelEvent"), withKey, "every action that reads the key");
    }

    // ---------------------------------------------------------------- request bodies

    @Test
    void whenOperationTakesAJsonBodyThenItHasASchemaRefNamedExamplesAndAParser() {
        Set<String> withJsonBody = new TreeSet<>();
        for (JsonNode operation : operations().values()) {
            JsonNode content = operation.path("requestBody").path("content");
            content.fieldNames().forEachRemaining(mediaType -> {
                JsonNode media = content.get(mediaType);
                String id = operation.path("operationId").asText();
                assertTrue(media.path("schema").path("$ref").asText().startsWith("#/components/schemas/"),
                        id + " " + mediaType + ": the schema is a $ref to components/schemas");
                assertFalse(media.has("example"), id + " " + mediaType + ": use named examples");
                assertFalse(media.path("examples").isEmpty(), id + " " + mediaType + ": at least one named example");
                if (mediaType.equals("application/json")) {
                    withJsonBody.add(id);
                }
            });
        }
        assertEquals(new TreeSet<>(PARSERS.keySet()), withJsonBody, "every JSON body has its parser in PARSERS, and only those");
    }

    @TestFactory
    Stream<DynamicTest> whenRequestBodyExampleIsCheckedThenSchemaAndParserBothAcceptIt() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode operation : operations().values()) {
            String id = operation.path("operationId").asText();
            JsonNode content = operation.path("requestBody").path("content");
            for (Iterator<String> types = content.fieldNames(); types.hasNext(); ) {
                String mediaType = types.next();
                JsonNode media = content.get(mediaType);
                Schema schema = schema(media.path("schema").path("$ref").asText());
                for (Iterator<Map.Entry<String, JsonNode>> it = media.path("examples").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> example = it.next();
                    String body = json(example.getValue().get("value"));
                    tests.add(DynamicTest.dynamicTest(id + " " + mediaType + " example '" + example.getKey() + "'", () -> {
                        assertEquals(List.of(), messages(schema.validate(body, InputFormat.JSON)), "the schema refuses the example");
                        if (mediaType.equals("application/json")) {
                            PARSERS.get(id).accept(body);
                        }
                    }));
                }
            }
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    /** Bodies the code refuses: the schema must refuse them too (and the parser names the field). */
    @TestFactory
    Stream<DynamicTest> whenRequestBodyIsInvalidThenSchemaAndParserBothRejectIt() {
        Map<String, Invalid> cases = new LinkedHashMap<>();
        cases.put("start: unknown field", new Invalid("createConnection", "userId",
                "{\"ownerId\":\"u1\",\"features\":[\"mail\"],\"cloud\":\"global\",\"userId\":\"u1\"}"));
        cases.put("start: wrong cloud", new Invalid("createConnection", "cloud",
                "{\"ownerId\":\"u1\",\"features\":[\"mail\"],\"cloud\":\"gcchigh\"}"));
        cases.put("start: wrong feature", new Invalid("createConnection", "features[1]",
                "{\"ownerId\":\"u1\",\"features\":[\"mail\",\"files\"],\"cloud\":\"global\"}"));
        cases.put("start: missing ownerId", new Invalid("createConnection", "ownerId",
                "{\"features\":[\"mail\"],\"cloud\":\"global\"}"));
        cases.put("start: empty features", new Invalid("createConnection", "features",
                "{\"ownerId\":\"u1\",\"features\":[],\"cloud\":\"global\"}"));
        cases.put("start: malformed connectionId", new Invalid("createConnection", "connectionId",
                "{\"ownerId\":\"u1\",\"features\":[\"mail\"],\"cloud\":\"global\",\"connectionId\":\"con_123\"}"));
        cases.put("start: ownerId too long", new Invalid("createConnection", "ownerId",
                "{\"ownerId\":\"" + "x".repeat(257) + "\",\"features\":[\"mail\"],\"cloud\":\"global\"}"));
        cases.put("mail: unknown field", new Invalid("sendMail", "priority",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"priority\":\"high\"}"));
        cases.put("mail: missing subject", new Invalid("sendMail", "subject",
                "{\"to\":[\"a@contoso.com\"]}"));
        cases.put("mail: no recipient", new Invalid("sendMail", "to",
                "{\"to\":[],\"subject\":\"s\"}"));
        cases.put("mail: wrong importance", new Invalid("sendMail", "importance",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"importance\":\"urgent\"}"));
        cases.put("mail: wrong body contentType", new Invalid("sendMail", "body.contentType",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"body\":{\"contentType\":\"markdown\",\"content\":\"x\"}}"));
        cases.put("mail: not an address", new Invalid("sendMail", "to[0]",
                "{\"to\":[\"not-an-address\"],\"subject\":\"s\"}"));
        cases.put("mail: unknown recipient field", new Invalid("sendMail", "cc[0].type",
                "{\"cc\":[{\"address\":\"a@contoso.com\",\"type\":\"optional\"}],\"subject\":\"s\"}"));
        cases.put("mail: CR LF in subject", new Invalid("sendMail", "subject",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\\r\\nBcc: x@evil.example\"}"));
        cases.put("mail: attachment without content", new Invalid("sendMail", "attachments[0].contentBase64",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"attachments\":[{\"name\":\"a.txt\"}]}"));
        cases.put("mail: too many replyTo", new Invalid("sendMail", "replyTo",
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"replyTo\":[" + String.join(",", Collections.nCopies(11, "\"r@contoso.com\"")) + "]}"));
        cases.put("event: unknown field", new Invalid("createEvent", "isAllDay",
                "{\"subject\":\"s\",\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"isAllDay\":true}"));
        cases.put("event: missing start", new Invalid("createEvent", "start",
                "{\"subject\":\"s\",\"end\":" + time("10:00") + "}"));
        cases.put("event: missing timeZone", new Invalid("createEvent", "start.timeZone",
                "{\"subject\":\"s\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00\"},\"end\":" + time("10:00") + "}"));
        cases.put("event: offset in dateTime", new Invalid("createEvent", "start.dateTime",
                "{\"subject\":\"s\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00Z\",\"timeZone\":\"UTC\"},\"end\":" + time("10:00") + "}"));
        cases.put("event: wrong attendee type", new Invalid("createEvent", "attendees[0].type",
                "{\"subject\":\"s\",\"start\":" + time("09:00") + ",\"end\":" + time("10:00")
                        + ",\"attendees\":[{\"address\":\"a@contoso.com\",\"type\":\"chair\"}]}"));
        cases.put("event: reminder out of range", new Invalid("createEvent", "reminderMinutesBeforeStart",
                "{\"subject\":\"s\",\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"reminderMinutesBeforeStart\":40321}"));
        cases.put("update: calendarOwner in the body", new Invalid("updateEvent", "calendarOwner",
                "{\"subject\":\"s\",\"calendarOwner\":\"shared@contoso.com\"}"));
        cases.put("update: start without end", new Invalid("updateEvent", "end",
                "{\"start\":" + time("09:00") + "}"));
        cases.put("update: unknown location field", new Invalid("updateEvent", "location.address",
                "{\"location\":{\"displayName\":\"Room 4\",\"address\":\"Main St\"}}"));
        cases.put("event: rooms and location", new Invalid("createEvent", "location",
                "{\"subject\":\"s\",\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"location\":\"Room 4\",\"rooms\":[\"r@contoso.com\"]}"));
        cases.put("event: empty rooms", new Invalid("createEvent", "rooms",
                "{\"subject\":\"s\",\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"rooms\":[]}"));
        cases.put("update: rooms without attendees", new Invalid("updateEvent", "attendees",
                "{\"rooms\":[\"r@contoso.com\"]}"));
        cases.put("availability: no schedules", new Invalid("getAvailability", "schedules",
                "{\"schedules\":[],\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + "}"));
        cases.put("availability: 21 schedules", new Invalid("getAvailability", "schedules",
                "{\"schedules\":[" + String.join(",", Collections.nCopies(21, "\"a@contoso.com\"")) + "],\"start\":" + time("09:00")
                        + ",\"end\":" + time("10:00") + "}"));
        cases.put("availability: interval too short", new Invalid("getAvailability", "intervalMinutes",
                "{\"schedules\":[\"a@contoso.com\"],\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"intervalMinutes\":4}"));
        cases.put("availability: unknown field", new Invalid("getAvailability", "rooms",
                "{\"schedules\":[\"a@contoso.com\"],\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"rooms\":[]}"));
        cases.put("availability: missing end", new Invalid("getAvailability", "end",
                "{\"schedules\":[\"a@contoso.com\"],\"start\":" + time("09:00") + "}"));
        cases.put("meeting times: wrong activity domain", new Invalid("findMeetingTimes", "activityDomain",
                "{\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"activityDomain\":\"leisure\"}"));
        cases.put("meeting times: roomRequired without rooms", new Invalid("findMeetingTimes", "roomRequired",
                "{\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"roomRequired\":true}"));
        cases.put("meeting times: 20 attendees", new Invalid("findMeetingTimes", "attendees",
                "{\"attendees\":[" + String.join(",", Collections.nCopies(20, "\"a@contoso.com\"")) + "],\"start\":" + time("09:00")
                        + ",\"end\":" + time("10:00") + "}"));
        cases.put("meeting times: duration too long", new Invalid("findMeetingTimes", "durationMinutes",
                "{\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"durationMinutes\":1441}"));
        cases.put("meeting times: minimum over 100", new Invalid("findMeetingTimes", "minimumAttendeePercentage",
                "{\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"minimumAttendeePercentage\":101}"));

        Map<String, String> schemaRefs = new TreeMap<>();
        for (JsonNode operation : operations().values()) {
            JsonNode ref = operation.at("/requestBody/content/application~1json/schema/$ref");
            if (!ref.isMissingNode()) {
                schemaRefs.put(operation.path("operationId").asText(), ref.asText());
            }
        }
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
            Invalid invalid = c.getValue();
            List<Error> schemaErrors = schema(schemaRefs.get(invalid.operationId())).validate(invalid.body(), InputFormat.JSON);
            assertFalse(schemaErrors.isEmpty(), "the schema accepts a body the code refuses: " + invalid.body());
            RequestValidationException refused = assertThrows(RequestValidationException.class,
                    () -> PARSERS.get(invalid.operationId()).accept(invalid.body()), "the parser accepts it");
            assertTrue(refused.errors().stream().anyMatch(e -> e.field().equals(invalid.field())),
                    "expected an error for " + invalid.field() + ", got " + refused.errors());
        }));
    }

    @Test
    void whenIdEnumsAreDocumentedThenTheyEqualTheJavaEnumsIds() {
        assertEquals(Arrays.stream(NationalCloud.values()).map(NationalCloud::id).collect(Collectors.toCollection(TreeSet::new)),
                enumOf("/components/schemas/Cloud"));
        assertEquals(Arrays.stream(Feature.values()).map(Feature::id).collect(Collectors.toCollection(TreeSet::new)),
                enumOf("/components/schemas/Feature"));
        assertEquals(Arrays.stream(ConnectionStatus.values()).map(ConnectionStatus::id).collect(Collectors.toCollection(TreeSet::new)),
                enumOf("/components/schemas/ConnectionStatus"));
    }

    /** The parsers hold these value sets inline: every documented value must parse (values outside are in the invalid cases). */
    @TestFactory
    Stream<DynamicTest> whenDocumentedEnumValueIsSentThenTheParserAcceptsIt() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String cloud : enumOf("/components/schemas/Cloud")) {
            tests.add(DynamicTest.dynamicTest("cloud " + cloud, () -> StartRequest.parse(
                    "{\"ownerId\":\"u1\",\"features\":[\"mail\"],\"cloud\":\"" + cloud + "\"}")));
        }
        for (String feature : enumOf("/components/schemas/Feature")) {
            tests.add(DynamicTest.dynamicTest("feature " + feature, () -> StartRequest.parse(
                    "{\"ownerId\":\"u1\",\"features\":[\"" + feature + "\"],\"cloud\":\"global\"}")));
        }
        for (String importance : enumOf("/components/schemas/MailRequest/properties/importance")) {
            tests.add(DynamicTest.dynamicTest("importance " + importance, () -> MailRequest.parse(
                    "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"importance\":\"" + importance + "\"}")));
        }
        for (String type : enumOf("/components/schemas/MailBody/oneOf/1/properties/contentType")) {
            tests.add(DynamicTest.dynamicTest("mail body contentType " + type, () -> MailRequest.parse(
                    "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"body\":{\"contentType\":\"" + type + "\",\"content\":\"x\"}}")));
        }
        for (String type : enumOf("/components/schemas/EventBody/oneOf/1/properties/contentType")) {
            tests.add(DynamicTest.dynamicTest("event body contentType " + type, () -> EventRequest.parseUpdate(
                    "{\"body\":{\"contentType\":\"" + type + "\",\"content\":\"x\"}}")));
        }
        for (String domain : enumOf("/components/schemas/MeetingTimesRequest/properties/activityDomain")) {
            tests.add(DynamicTest.dynamicTest("activity domain " + domain, () -> MeetingTimesRequest.parse(
                    "{\"start\":" + time("09:00") + ",\"end\":" + time("10:00") + ",\"activityDomain\":\"" + domain + "\"}")));
        }
        for (String type : enumOf("/components/schemas/Attendee/oneOf/1/properties/type")) {
            tests.add(DynamicTest.dynamicTest("attendee type " + type, () -> EventRequest.parseUpdate(
                    "{\"attendees\":[{\"address\":\"a@contoso.com\",\"type\":\"" + type + "\"}]}")));
        }
        return tests.stream();
    }

    @Test
    void whenRoomsQueryParametersAreDocumentedThenTheParserTakesEachAndRefusesOthers() {
        Map<String, String> every = new TreeMap<>();
        for (JsonNode p : operations().get("GET /connections/{id}/rooms").path("parameters")) {
            assertEquals("query", p.path("in").asText());
            String name = p.path("name").asText();
            every.put(name, switch (name) {
                case "roomList" -> "hq-rooms@contoso.com";
                case "minCapacity", "pageSize" -> "5";
                case "building" -> "HQ";
                default -> "";
            });
        }
        assertEquals(Set.of("roomList", "building", "minCapacity", "pageSize", "pageToken"), every.keySet());
        every.remove("pageToken");
        RoomsRequest parsed = RoomsRequest.parse(every);
        assertEquals(5, parsed.pageSize());
        assertThrows(RequestValidationException.class, () -> RoomsRequest.parse(Map.of("floor", "3")));
    }

    @Test
    void whenCallbackFormFieldsAreDocumentedThenTheyAreTheQueryParametersAndCallbackParamsReadsEachOne() {
        Set<String> form = names(doc.at("/components/schemas/CallbackForm/properties"));
        Set<String> query = new TreeSet<>();
        for (JsonNode p : operations().get("GET /auth/callback").path("parameters")) {
            JsonNode resolved = p.has("$ref") ? doc.at(p.get("$ref").asText().substring(1)) : p;
            assertEquals("query", resolved.path("in").asText());
            query.add(resolved.path("name").asText());
        }
        assertEquals(form, query);
        Map<String, String> every = new TreeMap<>();
        form.forEach(name -> every.put(name, "v-" + name));
        CallbackParams params = CallbackParams.from(every);
        Set<String> read = new TreeSet<>();
        for (RecordComponent component : CallbackParams.class.getRecordComponents()) {
            try {
                Object value = component.getAccessor().invoke(params);
                assertNotNull(value, "CallbackParams." + component.getName() + " is not read from any documented parameter");
                read.add(value.toString().substring(2));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(form, read, "documented parameters that CallbackParams does not read");
    }

    // ---------------------------------------------------------------- helpers

    record HttpFunction(String name, String route, List<String> methods, String authLevel) {
    }

    record Invalid(String operationId, String field, String body) {
    }

    static List<HttpFunction> httpFunctions() throws IOException {
        List<HttpFunction> functions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> function : FunctionJsonIT.readFunctions().entrySet()) {
            for (JsonNode binding : function.getValue().path("bindings")) {
                if ("httpTrigger".equals(binding.path("type").asText())) {
                    List<String> methods = new ArrayList<>();
                    binding.path("methods").forEach(m -> methods.add(m.asText().toUpperCase(Locale.ROOT)));
                    methods.sort(String::compareTo);
                    functions.add(new HttpFunction(function.getKey(), binding.path("route").asText(), methods,
                            binding.path("authLevel").asText().toLowerCase(Locale.ROOT)));
                }
            }
        }
        assertFalse(functions.isEmpty(), "no HTTP function.json under " + FunctionJsonIT.APP.toAbsolutePath() + "; run mvn package first");
        return functions;
    }

    /** "METHOD /path" -> operation, for every operation in the document. */
    static Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : HTTP_METHODS) {
                if (path.getValue().has(method)) {
                    operations.put(method.toUpperCase(Locale.ROOT) + " " + path.getKey(), path.getValue().get(method));
                }
            }
        }
        return operations;
    }

    static JsonNode documented(Map<String, JsonNode> operations, String key) {
        JsonNode operation = operations.get(key);
        assertNotNull(operation, key + " is not in docs/openapi.yaml");
        return operation;
    }

    static Schema schema(String ref) {
        assertTrue(ref.startsWith("#/components/schemas/"), "not a component schema: " + ref);
        assertFalse(doc.at(ref.substring(1)).isMissingNode(), "unresolved " + ref);
        return registry.getSchema(SchemaLocation.of(DOCUMENT_IRI + ref));
    }

    static List<String> messages(List<Error> errors) {
        return errors.stream().map(Error::toString).toList();
    }

    static Set<String> enumOf(String pointer) {
        JsonNode values = doc.at(pointer + "/enum");
        assertFalse(values.isEmpty(), "no enum at " + pointer);
        Set<String> set = new TreeSet<>();
        values.forEach(v -> set.add(v.asText()));
        return set;
    }

    static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static String describe(JsonNode scheme) {
        return scheme.path("type").asText() + " " + scheme.path("in").asText() + " " + scheme.path("name").asText();
    }

    static String json(JsonNode node) {
        try {
            return new ObjectMapper().writeValueAsString(node);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String time(String hhmm) {
        return "{\"dateTime\":\"2026-12-01T" + hhmm + ":00\",\"timeZone\":\"Pacific Standard Time\"}";
    }
}
