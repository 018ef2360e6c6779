package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Feature;
import io.m365connector.platform.RequestValidationException;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StartRequestTest {
    @Test
    void whenBodyIsCompleteThenEveryFieldIsRead() {
        StartRequest r = StartRequest.parse("{\"ownerId\":\"u-1\",\"features\":[\"mail\",\"shared_calendar\"],\"cloud\":\"usgovdod\","
                + "\"tenant\":\"contoso.onmicrosoft.us\",\"loginHint\":\"adele@contoso.us\",\"domainHint\":\"contoso.us\","
                + "\"returnUrl\":\"https://app.example.com/connected\"}");
        assertEquals("u-1", r.ownerId());
        assertEquals(Set.of(Feature.MAIL, Feature.SHARED_CALENDAR), r.features());
        assertEquals(NationalCloud.USGOVDOD, r.cloud());
        assertEquals("contoso.onmicrosoft.us", r.tenant());
        assertEquals("https://app.example.com/connected", r.returnUrl().toString());
        assertNull(r.connectionId());
    }

    @Test
    void whenEverythingIsWrongThenEveryFieldErrorIsListed() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> StartRequest.parse(
                "{\"features\":[\"mail\",\"fax\"],\"cloud\":\"gcchigh\",\"tenant\":\"a b\",\"domainHint\":\"x/y\","
                        + "\"connectionId\":\"c1\",\"color\":\"blue\"}"));
        Set<String> fields = e.errors().stream().map(RequestValidationException.FieldError::field).collect(Collectors.toSet());
        assertEquals(Set.of("ownerId", "features[1]", "cloud", "tenant", "domainHint", "connectionId", "color"), fields);
        assertTrue(e.detail().startsWith("7 fields are not valid"));
    }

    @Test
    void whenBodyIsNotJsonThenOneClearError() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> StartRequest.parse("ownerId=1"));
        assertEquals("The body is not valid JSON.", e.errors().get(0).message());
        assertThrows(RequestValidationException.class, () -> StartRequest.parse("[]"));
        assertThrows(RequestValidationException.class, () -> StartRequest.parse(""));
    }

    @Test
    void whenFeaturesAreEmptyOrNotStringsThenTheyAreRefused() {
        assertThrows(RequestValidationException.class, () -> StartRequest.parse("{\"ownerId\":\"u\",\"features\":[],\"cloud\":\"global\"}"));
        RequestValidationException e = assertThrows(RequestValidationException.class,
                () -> StartRequest.parse("{\"ownerId\":\"u\",\"features\":[1],\"cloud\":\"global\"}"));
        assertEquals("features[0]", e.errors().get(0).field());
    }

    @Test
    void whenOwnerIdHasControlCharactersThenItIsRefused() {
        RequestValidationException e = assertThrows(RequestValidationException.class,
                () -> StartRequest.parse("{\"ownerId\":\"u\\r\\nX-Injected: 1\",\"features\":[\"mail\"],\"cloud\":\"global\"}"));
        assertEquals("ownerId", e.errors().get(0).field());
    }
}
