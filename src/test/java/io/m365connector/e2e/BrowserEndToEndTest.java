package io.m365connector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.demo.DemoEnvironment;
import io.m365connector.testing.entra.FakeUser;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The connect flow in a real browser (headless Chromium from Debian's packages): the sample web app
 * (samples/webapp, Node.js, only the HTTP API), the functions on the local host, the fake Entra ID's
 * sign-in and consent pages, the cookie-bound state, the guidance pages and the webhooks the sample
 * verifies. Screenshots of each page go to target/screenshots.
 */
class BrowserEndToEndTest {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static DemoEnvironment demo;
    private WebDriver browser;

    @BeforeAll
    static void startDemo() throws IOException {
        demo = new DemoEnvironment(0, 0);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopDemo() {
        demo.close();
    }

    @BeforeEach
    void startBrowser() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1100,900",
                "--user-data-dir=" + Files.createTempDirectory("chromium-e2e"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void stopBrowser() {
        browser.quit();
    }

    @Test
    void whenAUserConnectsSendsMailCreatesAnEventAddsAFeatureAndDisconnectsThenEachStepShowsInTheBrowser() {
        FakeUser adele = demo.users.get(NationalCloud.GLOBAL).get(0);
        browser.get(demo.webAppUrl());
        shot("01-sample-app");
        new Select(browser.findElement(By.id("cloud"))).selectByValue("global");
        browser.findElement(By.id("feature-calendar")).click(); // no calendar at first (mail, and the sync features ticked by default)
        browser.findElement(By.id("connect")).click();

        // Microsoft's (fake) sign-in and consent page, reached through the login link and its cookie.
        waitFor(By.id("accept"));
        assertTrue(browser.getTitle().contains("login.microsoftonline.com"), browser.getTitle());
        browser.findElement(By.id("user-" + adele.objectId())).click();
        shot("02-sign-in-and-consent");
        browser.findElement(By.id("accept")).click();

        waitFor(By.id("status"));
        assertEquals("active", text("status"));
        assertEquals(adele.userPrincipalName(), text("user"));
        assertFalse(browser.findElement(By.id("create-event")).isEnabled(), "no event button before calendar consent");
        assertTrue(text("calendar-hint").contains("calendar feature"), text("calendar-hint"));
        assertFalse(browser.findElement(By.id("book-room")).isEnabled(), "no room booking without the rooms feature");
        assertTrue(text("rooms-hint").startsWith("Booking a room needs the rooms feature"), "and the page says why: " + text("rooms-hint"));
        shot("03-connected");
        // Cookies are per host, not per port: back on localhost the functions' binding cookie is visible.
        Cookie binding = browser.manage().getCookieNamed("__Host-m365c-browser");
        assertNotNull(binding, "the login link bound this browser with a __Host- cookie");
        assertTrue(binding.isSecure() && binding.isHttpOnly() && "Lax".equals(binding.getSameSite()), binding.toString());
        assertEquals("/", binding.getPath());

        String key = browser.findElement(By.cssSelector("form[action='/mail'] input[name='key']")).getAttribute("value");
        browser.findElement(By.id("send-mail")).click();
        waitFor(By.id("result"));
        assertTrue(text("result").contains("\"status\": \"sent\""), text("result"));
        // The same form submitted again (a double click, a browser resubmitting): its Idempotency-Key makes it one mail.
        ((JavascriptExecutor) browser).executeScript("const f = document.createElement('form'); f.method = 'post'; f.action = '/mail';"
                + "const k = document.createElement('input'); k.name = 'key'; k.value = arguments[0]; f.appendChild(k);"
                + "document.body.appendChild(f); f.submit();", key);
        waitFor(By.id("result"));
        assertTrue(text("result").contains("\"status\": \"sent\""), text("result"));
        browser.findElement(By.linkText("Mailbox and calendar")).click();
        assertEquals(1, occurrences(browser.getPageSource(), "Test mail from the m365-connector sample"), "one mail for two submits");
        shot("04-fake-mailbox");
        browser.get(demo.webAppUrl());

        // Incremental consent: the same connection gains the calendar feature.
        browser.findElement(By.id("add-calendar")).click();
        waitFor(By.id("accept"));
        assertTrue(browser.getPageSource().contains("Calendars.ReadWrite"));
        browser.findElement(By.id("user-" + adele.objectId())).click();
        browser.findElement(By.id("accept")).click();
        waitFor(By.id("features"));
        assertTrue(text("features").contains("calendar") && text("features").contains("mail"), text("features"));
        assertTrue(browser.findElement(By.id("create-event")).isEnabled(), "the event button once the calendar is granted");
        assertTrue(browser.findElements(By.id("add-calendar")).isEmpty());

        browser.findElement(By.id("create-event")).click();
        waitFor(By.id("result"));
        assertTrue(text("result").contains("joinUrl"), text("result"));
        assertNoHorizontalScroll();
        shot("12-event-created");
        browser.get(demo.webAppUrl());

        browser.findElement(By.id("disconnect")).click();
        waitFor(By.id("result"));
        assertTrue(text("result").contains("\"status\": \"disconnected\""), text("result"));
        browser.get(demo.webAppUrl());
        assertEquals("disconnected", text("status"));
        assertTrue(browser.findElements(By.id("send-mail")).isEmpty() && browser.findElements(By.id("create-event")).isEmpty(),
                "no actions after disconnect");
        assertNotNull(browser.findElement(By.id("connect")), "connect again instead");
        // The connector's webhooks reach the sample, which verified them with the Standard Webhooks library.
        String events = waitForWebhook("disconnected");
        assertTrue(events.contains("pending → active"), "the connection's first status change came too: " + events);
        shot("13-disconnected");
        keep("03-connected", "12-event-created", "13-disconnected");
    }

    @Test
    void whenAMailReachesTheConnectedUsersInboxThenTheSamplesSyncedInboxShowsIt() {
        // A cloud and user no other test signs in as; US Government L4 serves message delta and subscriptions.
        FakeUser alex = demo.users.get(NationalCloud.USGOV).get(1);
        browser.get(demo.webAppUrl());
        new Select(browser.findElement(By.id("cloud"))).selectByValue("usgov");
        assertTrue(browser.findElement(By.id("feature-mail_read")).isSelected() && browser.findElement(By.id("feature-calendar_read")).isSelected(),
                "the connect form asks for inbox and calendar sync");
        browser.findElement(By.id("connect")).click();
        waitFor(By.id("accept"));
        assertTrue(browser.getPageSource().contains("Mail.Read") && browser.getPageSource().contains("Calendars.Read"), "sync's permissions");
        browser.findElement(By.id("user-" + alex.objectId())).click();
        browser.findElement(By.id("accept")).click();
        waitFor(By.id("inbox-link"));
        browser.findElement(By.id("inbox-link")).click();

        // The first sync finds the mail already in the fake inbox; then Graph's subscriptions (through the demo's
        // routing to the local receiver) are in place, so changes from now on are notified.
        waitForText("inbox-messages", "Welcome to Contoso");
        waitForText("sync-inbox", "notifications subscribed");
        waitForText("sync-calendar", "notifications subscribed");

        // Someone writes to the user: the fake Graph puts the mail in the inbox and notifies the connector.
        String subject = "A question about my interview " + UUID.randomUUID().toString().substring(0, 8);
        clickWhenLoaded(By.id("new-mail"));
        waitFor(By.id("deliver"));
        assertEquals(alex.userPrincipalName(), text("recipient"));
        browser.findElement(By.id("subject")).clear();
        browser.findElement(By.id("subject")).sendKeys(subject);
        browser.findElement(By.id("deliver")).click();
        // Back on the sample's inbox page, which reloads itself: the notification, the debounced delta run,
        // the feed, the connection.changes webhook (or the feed read from the sample's cursor).
        waitForText("inbox-messages", subject);
        assertTrue(browser.getCurrentUrl().startsWith(demo.webAppUrl() + "/inbox"), browser.getCurrentUrl());
        waitForOutput("connection.changes verified");

        clickWhenLoaded(By.linkText(subject));
        waitFor(By.id("message-body"));
        assertEquals("Could we move it to the afternoon?", text("message-body"), "opened with the read API");

        // An event made through the API reaches the synced calendar the same way (calendar subscription, delta, feed).
        browser.get(demo.webAppUrl());
        browser.findElement(By.id("create-event")).click();
        waitFor(By.id("result"));
        assertTrue(text("result").contains("joinUrl"), text("result"));
        browser.get(demo.webAppUrl() + "/inbox");
        waitForText("upcoming-events", "Sample interview");
        assertTrue(text("inbox-messages").contains(subject), "the synced inbox still holds the mail: " + text("inbox-messages"));
        browser.manage().window().setSize(new Dimension(1100, 1100)); // the whole page, both tables, in the documented screenshot
        shot("16-synced-inbox");
        keep("16-synced-inbox");
    }

    @Test
    void whenAReturnLinkNamesAConnectionThisSessionDidNotStartThenTheAppIgnoresIt() {
        browser.get(demo.webAppUrl() + "/connected?connection_id=con_" + "0".repeat(32) + "&status=active");

        waitFor(By.id("notice"));
        assertTrue(text("notice").contains("does not belong to a connection you started here"), text("notice"));
        assertTrue(browser.findElements(By.id("status")).isEmpty(), "no connection shown");
    }

    @Test
    void whenAUserBooksARoomThenTheRoomsFreeBusyTheBookingAndTheRoomsAnswerShowInTheBrowser() {
        FakeUser alex = demo.users.get(NationalCloud.GLOBAL).get(1);
        browser.get(demo.webAppUrl());
        if (!browser.findElement(By.id("feature-calendar")).isSelected()) {
            browser.findElement(By.id("feature-calendar")).click();
        }
        browser.findElement(By.id("feature-rooms")).click();
        browser.findElement(By.id("connect")).click();
        waitFor(By.id("accept"));
        assertTrue(browser.getPageSource().contains("Place.Read.All"), "the consent page lists the rooms feature's permissions");
        browser.findElement(By.id("user-" + alex.objectId())).click();
        browser.findElement(By.id("accept")).click();
        waitFor(By.id("book-room"));

        browser.findElement(By.id("book-room")).click();
        waitFor(By.id("show-availability"));
        assertTrue(browser.getPageSource().contains("Focus Room"), "both rooms of the tenant are listed");
        browser.findElement(By.id("room-board@contoso.com")).click();
        assertTrue(browser.findElement(By.id("day")).getAttribute("value").compareTo(LocalDate.now().toString()) > 0,
                "the booking day is ahead of today: " + browser.findElement(By.id("day")).getAttribute("value"));
        browser.findElement(By.id("show-availability")).click();
        waitFor(By.id("availability"));
        String table = text("availability");
        assertTrue(table.contains("board@contoso.com") && table.contains(alex.userPrincipalName()), table);
        assertTrue(table.contains("0 0 0 2"), "the Board Room is busy 11:00-12:00: " + table);
        assertTrue(table.contains("Both 2 0 0 2"), "merged: the user's 08:00 and the room's 11:00: " + table);
        assertEquals("Book 09:00 for one hour", browser.findElement(By.id("book")).getText());
        shot("10-book-a-room");

        browser.findElement(By.id("book")).click();
        waitFor(By.id("room-response"));
        assertEquals("accepted", text("room-response"));
        assertTrue(browser.getPageSource().contains("Board Room"), "the room is the event's location");
        shot("11-room-accepted");
        keep("10-book-a-room", "11-room-accepted");
    }

    @Test
    void whenTheUserUnticksAPermissionThenTheSampleKeepsTheConnectionAndOffersToAskAgain() {
        // A user of a cloud no other test signs in to: Entra ID remembers consents, so an earlier grant would come back.
        FakeUser adele = demo.users.get(NationalCloud.USGOVDOD).get(0);
        browser.get(demo.webAppUrl());
        new Select(browser.findElement(By.id("cloud"))).selectByValue("usgovdod");
        browser.findElement(By.id("connect")).click(); // mail and calendar
        waitFor(By.id("accept"));
        browser.findElement(By.id("user-" + adele.objectId())).click();
        browser.findElement(By.id("scope-Calendars.ReadWrite")).click(); // unticked at Microsoft's consent page
        browser.findElement(By.id("accept")).click();

        waitFor(By.id("error-code"));
        assertEquals("missing_permissions", text("error-code"));
        browser.findElement(By.id("return-link")).click();
        waitFor(By.id("status"));
        assertEquals("active", text("status"), "the partially consented connection is kept");
        assertTrue(text("notice").contains("did not grant every permission (calendar)"), text("notice"));
        assertTrue(text("missing-permissions").contains("calendar"), text("missing-permissions"));
        assertTrue(browser.findElement(By.id("send-mail")).isEnabled(), "what was granted works");
        assertFalse(browser.findElement(By.id("create-event")).isEnabled());
        assertEquals("Grant calendar (ask Microsoft again)", browser.findElement(By.id("add-calendar")).getText());
        shot("15-partial-consent");

        browser.findElement(By.id("add-calendar")).click();
        waitFor(By.id("accept"));
        browser.findElement(By.id("user-" + adele.objectId())).click();
        browser.findElement(By.id("accept")).click();
        waitFor(By.id("status"));
        assertTrue(browser.findElement(By.id("create-event")).isEnabled(), "granted on the second ask");
        assertTrue(browser.findElements(By.id("missing-permissions")).isEmpty());
        keep("15-partial-consent");
    }

    @Test
    void whenTheUserDeclinesConsentThenAGuidancePageExplainsAndLinksBackToTheApp() {
        browser.get(demo.webAppUrl());
        new Select(browser.findElement(By.id("cloud"))).selectByValue("usgov");
        browser.findElement(By.id("connect")).click();
        waitFor(By.id("decline"));
        assertTrue(browser.getTitle().contains("login.microsoftonline.us"), "the US Government sign-in host: " + browser.getTitle());
        browser.findElement(By.id("decline")).click();

        waitFor(By.id("error-code"));
        assertEquals("user_declined", text("error-code"));
        assertEquals("You chose not to give access", browser.findElement(By.tagName("h1")).getText());
        assertAccessiblePage();
        shot("05-user-declined");
        browser.findElement(By.id("return-link")).click();
        assertTrue(browser.getCurrentUrl().startsWith(demo.webAppUrl()), browser.getCurrentUrl());
        waitFor(By.id("notice"));
        assertTrue(text("notice").contains("user_declined"), "the app shows the declined sign-in: " + text("notice"));
        shot("14-declined-shown-in-app");
        keep("14-declined-shown-in-app");
    }

    @Test
    void whenAnAdministratorMustApproveThenThePageGivesTheLinkAndTheAdministratorCanApprove() {
        demo.entra.nextAuthorizeError("access_denied", "AADSTS90094: Admin consent is required for the permissions requested by this application.");
        browser.get(demo.webAppUrl());
        browser.findElement(By.id("connect")).click();

        waitFor(By.id("admin-consent-link"));
        assertEquals("admin_approval_required", text("error-code"));
        assertAccessiblePage();
        shot("06-admin-approval-required");
        String link = browser.findElement(By.id("admin-consent-link")).getAttribute("href");
        assertTrue(link.startsWith(demo.functionsUrl() + "/api/auth/adminconsent/"), link);

        browser.manage().deleteAllCookies(); // the administrator uses another browser
        browser.get(link);
        waitFor(By.id("accept"));
        shot("07-admin-consent-page");
        browser.findElement(By.id("accept")).click();
        waitFor(By.tagName("h1"));
        assertEquals("Approved for your organization", browser.findElement(By.tagName("h1")).getText());
        shot("08-admin-approved");
    }

    @Test
    void whenTheCallbackIsOpenedInAnotherBrowserThenTheStateIsRefused() {
        browser.get(demo.webAppUrl());
        browser.findElement(By.id("connect")).click();
        waitFor(By.id("accept"));
        // Drop the browser-binding cookie (it belongs to the functions' host) before Microsoft redirects back:
        // as if the sign-in were finished in another browser.
        browser.get(demo.functionsUrl() + "/api/health");
        assertNotNull(browser.manage().getCookieNamed("__Host-m365c-browser"));
        browser.manage().deleteCookieNamed("__Host-m365c-browser");
        browser.navigate().back();
        waitFor(By.id("accept"));
        browser.findElements(By.name("user")).get(0).click();
        browser.findElement(By.id("accept")).click();

        waitFor(By.id("error-code"));
        assertEquals("state_invalid", text("error-code"));
        assertTrue(browser.getPageSource().contains("another browser"));
        shot("09-state-invalid");
    }

    /** The sample's list of verified webhooks once it shows a status change to {@code status} (the queue is polled twice a second). */
    private String waitForWebhook(String status) {
        for (int i = 0; i < 40; i++) {
            browser.get(demo.webAppUrl());
            if (!browser.findElements(By.id("webhook-events")).isEmpty() && text("webhook-events").contains("→ " + status)) {
                return text("webhook-events");
            }
            sleep(250);
        }
        throw new AssertionError("no webhook for " + status + "; the sample printed: " + demo.webApp.output());
    }

    /** Waits until the element's text contains {@code part}, on a page that reloads itself (a deadline, not a timing claim). */
    private void waitForText(String id, String part) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(90)).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), part));
        } catch (TimeoutException e) {
            throw new AssertionError("no '" + part + "' in #" + id + " at " + browser.getCurrentUrl() + ": " + browser.getPageSource()
                    + "\nthe sample printed: " + demo.webApp.output(), e);
        }
    }

    /** Clicks an element of a page that reloads itself: found again if a reload replaced it in between. */
    private void clickWhenLoaded(By locator) {
        for (int attempt = 1; ; attempt++) {
            try {
                waitFor(locator);
                browser.findElement(locator).click();
                return;
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Waits until the sample web app has printed a line containing {@code part}. */
    private static void waitForOutput(String part) {
        for (int i = 0; i < 240 && demo.webApp.output().stream().noneMatch(line -> line.contains(part)); i++) {
            sleep(250);
        }
        assertTrue(demo.webApp.output().stream().anyMatch(line -> line.contains(part)), "the sample printed: " + demo.webApp.output());
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void assertNoHorizontalScroll() {
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
        assertEquals(Boolean.FALSE, overflow, "the result is readable without horizontal scrolling");
    }

    private void assertAccessiblePage() {
        assertEquals("en", browser.findElement(By.tagName("html")).getAttribute("lang"));
        assertEquals(1, browser.findElements(By.tagName("h1")).size());
        assertTrue(browser.findElements(By.tagName("script")).isEmpty(), "no scripts needed");
        assertFalse(browser.getPageSource().contains("http://") && browser.getPageSource().contains("<link"), "no external assets");
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void waitFor(By locator) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(locator));
        } catch (TimeoutException e) {
            throw new AssertionError("no " + locator + " at " + browser.getCurrentUrl() + ": " + browser.getPageSource(), e);
        }
    }

    /**
     * Screenshots the documentation shows: copied to docs/screenshots when missing there, replaced only
     * when asked ({@code -Dscreenshots.update=true}), so test runs leave git clean.
     */
    private static void keep(String... names) {
        for (String name : names) {
            Path kept = Path.of("docs", "screenshots", name + ".png");
            try {
                if (!Files.exists(kept) || Boolean.getBoolean("screenshots.update")) {
                    Files.copy(SCREENSHOTS.resolve(name + ".png"), kept, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void shot(String name) {
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
