package io.m365connector.sync;

import java.util.List;

/**
 * One page of a Graph delta query: its items, and either the link to the next page or the delta link
 * for the next run.
 */
record DeltaPage(List<Item> items, String nextLink, String deltaLink) {
    /** An item of the page: a current version, or a removal (Graph's {@code @removed}). */
    record Item(String id, String changeKey, boolean removed, Change.Summary summary) {
    }
}
