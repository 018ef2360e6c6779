package io.m365connector.connect;

import static io.m365connector.platform.Html.escape;

import io.m365connector.platform.ProblemCode;

/**
 * The small pages the browser sees when connecting ends here instead of at the web app: readable
 * without scripts or external assets, with the guidance of the troubleshooting table.
 */
public final class ResultPage {
    /** Sent with every page: nothing loads from elsewhere, nothing frames it, no referrer leaks the callback URL. */
    public static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private ResultPage() {
    }

    public static String connected(String connectionId) {
        return page("Microsoft 365 is connected", "ok",
                "<p>Your Microsoft 365 account is connected. You can close this window and return to the app.</p>"
                        + "<p class=\"meta\">Connection: <code>" + escape(connectionId) + "</code></p>");
    }

    public static String adminConsented() {
        return page("Approved for your organization", "ok",
                "<p>You approved the app for your organization. People in your organization can now connect their "
                        + "Microsoft 365 accounts; anyone who was waiting can start connecting again.</p>");
    }

    /**
     * @param detail          what happened, in words for the reader
     * @param adminConsentUrl a link to forward to an administrator, or null
     * @param continueUrl     a link back to the app, or null
     */
    public static String failed(ProblemCode code, String detail, String adminConsentUrl, String continueUrl) {
        Guidance guidance = Guidance.of(code);
        StringBuilder body = new StringBuilder();
        body.append("<p>").append(escape(detail)).append("</p>");
        if (adminConsentUrl != null) {
            body.append("<section aria-labelledby=\"admin\"><h2 id=\"admin\">Link for your administrator</h2>")
                    .append("<p>Copy this link and send it to your Microsoft 365 administrator:</p>")
                    .append("<p><a id=\"admin-consent-link\" href=\"").append(escape(adminConsentUrl)).append("\">")
                    .append(escape(adminConsentUrl)).append("</a></p></section>");
        }
        body.append("<details><summary>For administrators</summary><p>").append(escape(guidance.forAdmin())).append("</p></details>");
        if (continueUrl != null) {
            body.append("<p><a class=\"button\" id=\"return-link\" href=\"").append(escape(continueUrl)).append("\">Return to the app</a></p>");
        }
        body.append("<p class=\"meta\">Error code: <code id=\"error-code\">").append(code.code()).append("</code></p>");
        return page(guidance.headline(), "problem", body.toString());
    }

    private static String page(String title, String kind, String body) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title><style>"
                + "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f5f5f5;color:#1b1b1b;margin:0;padding:2rem 1rem;line-height:1.5}"
                + "main{max-width:36rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}"
                + "h1{font-size:1.4rem;margin-top:0}h2{font-size:1.1rem}"
                + ".ok h1{color:#0f6b2f}.problem h1{color:#a4262c}"
                + "a{color:#0b57d0;word-break:break-all}.button{display:inline-block;background:#0b57d0;color:#fff;padding:.5rem 1rem;border-radius:4px;text-decoration:none}"
                + ".meta{color:#555;font-size:.9rem}code{background:#eee;padding:0 .25rem;border-radius:3px}"
                + "</style></head><body><main class=\"" + kind + "\"><h1>" + escape(title) + "</h1>" + body
                + "</main></body></html>";
    }
}
