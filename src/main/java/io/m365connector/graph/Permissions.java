package io.m365connector.graph;

import io.m365connector.connection.Feature;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a Graph call needs: the permission sets Graph accepts for it, least privileged first (getSchedule
 * takes Calendars.ReadBasic, or the calendar feature's Calendars.ReadWrite), and the features that grant
 * them, for the answer when the connection holds none.
 *
 * @param call         what the caller is doing, as the {@code missing_permissions} answer names it
 * @param alternatives each a set of short permission names; the first one the connection holds is used
 * @param features     the features to reconnect with, as the answer names them
 */
public record Permissions(String call, List<Set<String>> alternatives, String features) {
    public Permissions {
        Objects.requireNonNull(call, "'call' cannot be null.");
        alternatives = List.copyOf(alternatives);
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("'alternatives' cannot be empty.");
        }
        Objects.requireNonNull(features, "'features' cannot be null.");
    }

    /** Exactly what a feature grants, for the calls that feature exists for. */
    public static Permissions of(Feature feature) {
        return new Permissions(feature.id(), List.of(feature.scopes()), "the " + feature.id() + " feature");
    }

    String describe() {
        return String.join(" | ", alternatives.stream().map(s -> String.join(" + ", s)).toList());
    }
}
