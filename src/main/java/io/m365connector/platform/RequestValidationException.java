package io.m365connector.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A request that fails validation: 400 problem+json listing every field error at once, in {@code errors}. */
public final class RequestValidationException extends ConnectorException implements Problem.ProblemExtensions {
    private final List<FieldError> errors;

    private final int omitted;

    public RequestValidationException(List<FieldError> errors) {
        this(errors, 0);
    }

    private RequestValidationException(List<FieldError> errors, int omitted) {
        super(ProblemCode.INVALID_REQUEST, summary(errors, omitted));
        this.errors = List.copyOf(errors);
        this.omitted = omitted;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Field errors past {@link Collector#MAX_ERRORS}: counted, not listed. */
    public int omitted() {
        return omitted;
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return omitted == 0 ? Map.of("errors", errors) : Map.of("errors", errors, "moreErrors", omitted);
    }

    private static String summary(List<FieldError> errors, int omitted) {
        if (errors.size() == 1 && omitted == 0) {
            FieldError only = errors.get(0);
            return only.field().isEmpty() ? only.message() : only.field() + ": " + only.message(); // "" is the body as a whole
        }
        return (errors.size() + omitted) + " fields are not valid; see errors" + (omitted == 0 ? "." : " (the first " + errors.size() + ").");
    }

    /** One problem with one field of the request; {@code field} is a JSON path like {@code attendees[2].email}. */
    public record FieldError(String field, String message) {
    }

    /**
     * Collects field errors while a request is validated, then throws them together. At most
     * {@link #MAX_ERRORS} are kept (the rest are counted), so an answer stays small whatever the
     * request: a body with a million unknown fields gets twenty errors and a count.
     */
    public static final class Collector {
        public static final int MAX_ERRORS = 20;
        private final List<FieldError> errors = new ArrayList<>();
        private int omitted;

        public Collector add(String field, String message) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(new FieldError(field.length() > 200 ? field.substring(0, 200) + "…" : field, message));
            } else {
                omitted++;
            }
            return this;
        }


        public boolean isEmpty() {
            return errors.isEmpty();
        }

        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new RequestValidationException(errors, omitted);
            }
        }
    }
}
