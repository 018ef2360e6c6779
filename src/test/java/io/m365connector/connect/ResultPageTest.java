package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.platform.ProblemCode;
import org.junit.jupiter.api.Test;

class ResultPageTest {
    @Test
    void whenAdminApprovalIsNeededThenThePageCarriesTheLinkAndGuidance() {
        String html = ResultPage.failed(ProblemCode.ADMIN_APPROVAL_REQUIRED, "Send the link.",
                "https://func.example.net/api/auth/adminconsent/20261123.abc", "https://app.example.com/x?error=admin_approval_required");
        assertTrue(html.contains("id=\"admin-consent-link\" href=\"https://func.example.net/api/auth/adminconsent/20261123.abc\""));
        assertTrue(html.contains("administrator must approve"));
        assertTrue(html.contains("id=\"return-link\""));
        assertTrue(html.contains("<html lang=\"en\">"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("http://"), "no external or insecure assets");
    }

    @Test
    void whenTextCarriesMarkupThenItIsEscaped() {
        String html = ResultPage.failed(ProblemCode.STATE_INVALID, "<script>alert(1)</script>\"'&", null, null);
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    }
}
