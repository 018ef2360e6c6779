package io.m365connector.graph;

/**
 * URI templates of Graph paths that several features request as JSON ({@link GraphJsonRequests}), written as the Graph SDK's
 * request builders have them (checked against the SDK's classes), so a request goes out as the builder would send it. The
 * mailbox's part ({@link GraphJsonRequests#mailbox}) comes first; a template used by one class stays in that class.
 */
public final class GraphTemplates {
    /** The query part of a collection's template: {@code $count}, {@code $expand}, ..., {@code $top}. */
    public static final String COLLECTION_QUERY = "{?%24count,%24expand,%24filter,%24orderby,%24search,%24select,%24skip,%24top}";
    /** One message of a mailbox. */
    public static final String MESSAGE = "/messages/{message%2Did}{?%24expand,%24select,includeHiddenMessages*}";
    /** The messages of one of a mailbox's folders. */
    public static final String FOLDER_MESSAGES = "/mailFolders/{mailFolder%2Did}/messages" + COLLECTION_QUERY;

    private GraphTemplates() {
    }
}
