package io.m365connector.testing.entra;

import static io.m365connector.platform.Html.escape;

/** The page frame of the fake's HTML pages. */
final class Html {
    private Html() {
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:36em;margin:2em auto}fieldset{margin:1em 0}"
                + ".error{color:#a80000}</style></head>\n<body>\n" + body + "\n</body></html>\n";
    }
}
