package io.m365connector.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A request that fails validation: 400 problem+json listing every field error at once, in {@code errors}. */
public final class RequestValidationException extends ConnectorException implements Problem.ProblemExtensions {
    private final List<FieldError> errors;

    public RequestValidationException(List<FieldError> errors) {
        super(ProblemCode.INVALID_REQUEST, summary(errors));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return Map.of("errors", errors);
    }

    private static String summary(List<FieldError> errors) {
        if (errors.size() == 1) {
            return errors.get(0).field() + ": " + errors.get(0).message();
        }
        return errors.size() + " fields are not valid; see errors.";
    }

    /** One problem with one field of the request; {@code field} is a JSON path like {@code attendees[2].email}. */
    public record FieldError(String field, String message) {
    }

    /** Collects field errors while a request is validated, then throws them together. */
    public static final class Collector {
        private final ArrayList<FieldError> errors = new ArrayList<>();

        public Collector add(String field, String message) {
            errors.add(new FieldError(field, message));
            return this;
        }

        public boolean isEmpty() {
            return errors.isEmpty();
        }

        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new RequestValidationException(errors);
            }
        }
    }
}
