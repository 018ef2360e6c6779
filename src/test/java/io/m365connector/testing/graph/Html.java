package io.m365connector.testing.graph;

import static io.m365connector.platform.Html.escape;

/** The page frame of the fake Graph's HTML view. */
final class Html {
    private Html() {
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;width:100%}"
                + "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}.none{color:#666}</style>"
                + "</head>\n<body>\n" + body + "\n</body></html>\n";
    }
}
