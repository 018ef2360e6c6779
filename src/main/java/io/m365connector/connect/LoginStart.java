package io.m365connector.connect;

/** Where to send the browser (Microsoft's authorize or admin-consent page) and the browser-binding cookie value to set. */
public record LoginStart(String redirectUrl, String browserCookie) {
    @Override
    public String toString() {
        return "LoginStart[redirect to Microsoft]";
    }
}
