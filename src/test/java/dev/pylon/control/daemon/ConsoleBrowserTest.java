package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.pylon.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as a person uses it: a real {@code pylon server} with a real app, driven by Debian's
 * headless Chromium. Logs in through the URL the server printed, sees the service with its revision
 * at 100 %, splits traffic 50/50 on the page and sees real requests follow, follows a log line an
 * instance prints after the page opened; and is refused without a login and for a forged cross-site
 * POST. Screenshots go to {@code target/console-screenshots/}; page weight and time to first paint,
 * measured in the browser, to {@code target/console-screenshots/measurements.txt}.
 */
class ConsoleBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LOGIN_URL =
      Pattern.compile("console at (http://127\\.0\\.0\\.1:\\d+/console/login\\?token=[0-9a-f]+)");
  private static final Path SHOTS =
      Path.of(System.getProperty("basedir", "."), "target", "console-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path state;
  @TempDir Path app;
  @TempDir Path profile;
  @TempDir Path dumpProfile;

  @Test
  @Timeout(240)
  void logsInSeesTheServiceSplitsTrafficFollowsLogsAndRefusesForgeries() throws Exception {
    Files.writeString(
        app.resolve("main.py"),
        """
        import os
        def app(environ, start_response):
            path = environ.get("PATH_INFO", "/")
            print("served " + path, flush=True)
            body = (os.environ.get("K_REVISION", "") + "\\n").encode()
            start_response("200 OK", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        """);
    int port = freePort();
    try (DaemonProcess daemon = DaemonProcess.start(state, port)) {
      ServerInfo info = daemon.awaitListening(state, Duration.ofSeconds(30));
      String printedLogin = awaitLoginUrl(daemon);
      String base = "http://127.0.0.1:" + info.adminPort();
      AdminClient client = AdminClient.connect(state);
      HttpClient http = HttpClient.newHttpClient();

      // Without a login: 401 and no state, before and after there is a service.
      String first = deploy(client, false);
      for (String path : new String[] {"/console/", "/console/services/hello", "/console/login"}) {
        HttpResponse<String> answer = get(http, base + path, Map.of());
        assertThat(answer.statusCode()).as(path).isEqualTo(401);
        assertThat(answer.body()).as(path).doesNotContain(first).doesNotContain("100 %");
      }

      // chromium --dump-dom: a fresh login URL (from `pylon console --url`) shows the service, its
      // revision and its share; the bare URL shows none of it.
      String cliLogin = cliLoginUrl();
      assertThat(cliLogin).startsWith(base + "/console/login?token=");
      String dom = HeadlessChromium.dumpDom(dumpProfile.resolve("a"), cliLogin);
      assertThat(dom).contains("hello").contains(first).contains("100 %");
      String bare = HeadlessChromium.dumpDom(dumpProfile.resolve("b"), base + "/console/");
      assertThat(bare).contains("Log in").doesNotContain(first).doesNotContain("100 %");
      assertThat(get(http, cliLogin, Map.of()).statusCode()).as("a used login URL").isEqualTo(401);

      try (HeadlessChromium chromium = HeadlessChromium.start(profile, 1200, 1400)) {
        ChromeDriver browser = chromium.driver();
        browser.get(base + "/console/");
        assertThat(browser.getPageSource()).contains("Log in").doesNotContain(first);

        // Log in through the URL the server printed: a clean URL, a strict HttpOnly cookie.
        browser.get(printedLogin);
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/");
        WebElement row = browser.findElement(By.cssSelector("tr[data-service=hello]"));
        assertThat(row.getText()).contains(first).contains("100 %");
        Cookie cookie = browser.manage().getCookieNamed("pylon_console");
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(get(http, printedLogin, Map.of()).statusCode()).isEqualTo(401);

        // A second revision without traffic, then the service's page.
        String second = deploy(client, true);
        browser.get(base + "/console/services/hello");
        assertThat(revisionRow(browser, first).getText()).contains("100 %").contains("serving");
        assertThat(revisionRow(browser, second).getText()).contains("0 %");

        // A line an instance prints after the page opened shows up in the followed log.
        String marker = "/follow-" + UUID.randomUUID();
        assertThat(RawHttp.get(port, "hello.localhost", marker).status()).isEqualTo(200);
        new WebDriverWait(browser, WAIT)
            .until(b -> b.findElement(By.id("log")).getText().contains("served " + marker));

        // Split 50/50 on the page; real requests follow the new split.
        setShare(browser, first, 50);
        setShare(browser, second, 50);
        assertThat(browser.findElement(By.cssSelector("#traffic output.total")).getText())
            .isEqualTo("100");
        assertThat(
                flashAfter(
                    browser, () -> browser.findElement(By.cssSelector("#traffic button")).click()))
            .contains("50 %");
        assertThat(revisionRow(browser, first).getText()).contains("50 %");
        assertThat(revisionRow(browser, second).getText()).contains("50 %");
        Map<String, Integer> counts = count(port, 200);
        assertThat(counts.get(first)).isBetween(60, 140);
        assertThat(counts.get(second)).isBetween(60, 140);

        // The page checks the sum before sending.
        setShare(browser, first, 70);
        assertThat(browser.findElement(By.cssSelector("#traffic button")).isEnabled()).isFalse();

        // A refused action shows the daemon's own text.
        WebElement scale = browser.findElement(By.id("scale"));
        type(scale.findElement(By.name("min")), "5");
        type(scale.findElement(By.name("max")), "2");
        String refusal = flashAfter(browser, () -> scale.findElement(By.tagName("button")).click());
        assertThat(refusal).startsWith("Refused:").contains("min");
        chromium.screenshot(SHOTS, "console-refused");

        // Charts with data, then the screenshots the docs show.
        for (int i = 0; i < 3; i++) {
          count(port, 60);
          Thread.sleep(2_100);
        }
        browser.get(base + "/console/services/hello");
        new WebDriverWait(browser, WAIT)
            .until(b -> b.findElements(By.cssSelector(".chart polyline")).size() > 3);
        String measured = measure(browser, "service page");
        chromium.screenshot(SHOTS, "console-service");
        browser.get(base + "/console/");
        measured += measure(browser, "services page");
        chromium.screenshot(SHOTS, "console-services");
        Files.writeString(SHOTS.resolve("measurements.txt"), measured);
        System.out.print(measured);

        // Forged POSTs from another origin: same site (another port) and another site.
        String forged = forgedForm(base, first, second);
        try (Evil evil = Evil.serve(forged)) {
          browser.get("http://127.0.0.1:" + evil.port() + "/");
          new WebDriverWait(browser, WAIT).until(b -> b.getCurrentUrl().startsWith(base));
          assertThat(browser.findElement(By.tagName("body")).getText())
              .contains("Refused")
              .contains("Nothing was changed");
          chromium.screenshot(SHOTS, "console-forged-post");
          browser.get("http://localhost:" + evil.port() + "/");
          new WebDriverWait(browser, WAIT).until(b -> b.getCurrentUrl().startsWith(base));
          assertThat(browser.getPageSource()).contains("Log in").doesNotContain(first);
        }
        // With the cookie but without the page's CSRF token: refused too.
        HttpResponse<String> noToken =
            post(
                http,
                base + "/console/services/hello/traffic",
                "share." + first + "=100&share." + second + "=0",
                Map.of("Cookie", "pylon_console=" + cookie.getValue()));
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(client.get("/v1/services/hello").path("serving").path(first).asInt())
            .isEqualTo(50);
        assertThat(client.get("/v1/services/hello").path("serving").path(second).asInt())
            .isEqualTo(50);

        // Tag, roll back and delete from the page, each through the CLI's operation.
        browser.get(base + "/console/services/hello");
        WebElement tag = browser.findElement(By.id("tag"));
        new org.openqa.selenium.support.ui.Select(tag.findElement(By.name("revision")))
            .selectByVisibleText(second);
        type(tag.findElement(By.name("tag")), "canary");
        assertThat(flashAfter(browser, () -> tag.findElement(By.tagName("button")).click()))
            .contains(second + " is tagged canary");
        assertThat(revisionRow(browser, second).findElement(By.cssSelector("a.tag")).getText())
            .isEqualTo("canary");
        assertThat(RawHttp.get(port, "canary---hello.localhost", "/").body().strip())
            .isEqualTo(second);
        assertThat(
                flashAfter(
                    browser, () -> browser.findElement(By.cssSelector("#rollback button")).click()))
            .isEqualTo("hello now serves " + first);
        assertThat(count(port, 20).keySet()).containsOnly(first);

        // The admin token keeps working, for the console's pages as for the API.
        String token = Files.readString(state.resolve(AdminToken.FILE)).trim();
        HttpResponse<String> withBearer =
            get(http, base + "/console/", Map.of("Authorization", "Bearer " + token));
        assertThat(withBearer.statusCode()).isEqualTo(200);
        assertThat(withBearer.body()).contains(first);

        WebElement delete = browser.findElement(By.id("delete"));
        type(delete.findElement(By.name("confirm")), "hello");
        String deleted =
            flashAfter(
                browser,
                () -> {
                  delete.findElement(By.tagName("button")).click();
                  browser.switchTo().alert().accept();
                });
        assertThat(deleted).isEqualTo("hello is deleted; its instances stop");
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/");
        assertThat(browser.findElements(By.cssSelector("tr[data-service=hello]"))).isEmpty();
      }
    }
  }

  // ---- the page

  /**
   * Takes an action on the page and returns the message the next page shows: waits until the page
   * the action was taken on (which may carry an earlier action's message) has been replaced, then
   * reads it.
   */
  private static String flashAfter(ChromeDriver browser, Runnable action) {
    WebElement before = browser.findElement(By.tagName("html"));
    action.run();
    try {
      return new WebDriverWait(browser, Duration.ofSeconds(60))
          .ignoring(StaleElementReferenceException.class)
          .until(
              b ->
                  ExpectedConditions.stalenessOf(before).apply(b)
                      ? b.findElement(By.cssSelector(".flash")).getText()
                      : null);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "no message after the action; the page shows: "
              + browser.getCurrentUrl()
              + "\n"
              + browser.findElement(By.tagName("body")).getText(),
          e);
    }
  }

  private static WebElement revisionRow(ChromeDriver browser, String revision) {
    return browser.findElement(By.cssSelector("tr[data-revision='" + revision + "']"));
  }

  private static void setShare(ChromeDriver browser, String revision, int percent) {
    type(browser.findElement(By.name("share." + revision)), Integer.toString(percent));
  }

  private static void type(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }

  /** Page weight and paint times from the browser's own Navigation and Paint Timing. */
  private static String measure(ChromeDriver browser, String what) throws IOException {
    // Paint entries appear once the page painted, which a loaded machine may not have done yet.
    new WebDriverWait(browser, WAIT)
        .until(
            b ->
                (Boolean)
                    ((ChromeDriver) b)
                        .executeScript(
                            "return document.readyState === 'complete' &&"
                                + " performance.getEntriesByName('first-contentful-paint').length"
                                + " > 0;"));
    Object raw =
        browser.executeScript(
            "const n = performance.getEntriesByType('navigation')[0];"
                + "const r = performance.getEntriesByType('resource');"
                + "const p = {}; performance.getEntriesByType('paint')"
                + ".forEach(e => p[e.name] = e.startTime);"
                + "return JSON.stringify({transfer: n.transferSize + r.reduce((a, e) => a +"
                + " e.transferSize, 0), decoded: n.decodedBodySize + r.reduce((a, e) => a +"
                + " e.decodedBodySize, 0), html: n.decodedBodySize, resources: r.length,"
                + " names: r.map(e => new URL(e.name).pathname).join(' '),"
                + " firstByte: n.responseStart - n.requestStart,"
                + " domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
                + " firstPaint: p['first-paint'], firstContentfulPaint:"
                + " p['first-contentful-paint']});");
    JsonNode m = JSON.readTree(raw.toString());
    assertThat(m.path("firstContentfulPaint").asDouble()).isPositive();
    return String.format(
        java.util.Locale.ROOT,
        "%s: %.1f KiB transferred (%.1f KiB uncompressed, HTML %.1f KiB, %d more: %s),"
            + " first byte %.0f ms after the request, first contentful paint %.0f ms,"
            + " DOMContentLoaded %.0f ms, load %.0f ms%n",
        what,
        m.path("transfer").asDouble() / 1024,
        m.path("decoded").asDouble() / 1024,
        m.path("html").asDouble() / 1024,
        m.path("resources").asInt(),
        m.path("names").asText(),
        m.path("firstByte").asDouble(),
        m.path("firstContentfulPaint").asDouble(),
        m.path("domContentLoaded").asDouble(),
        m.path("load").asDouble());
  }

  /** What a hostile page would send: all traffic to one revision, with no CSRF token. */
  private static String forgedForm(String base, String first, String second) {
    return "<!doctype html><form id=f method=post action=\""
        + base
        + "/console/services/hello/traffic\"><input name=\"share."
        + first
        + "\" value=\"100\"><input name=\"share."
        + second
        + "\" value=\"0\"></form><script>document.getElementById('f').submit()</script>";
  }

  /** Another origin on loopback serving one page. */
  private record Evil(HttpServer server) implements AutoCloseable {
    static Evil serve(String page) throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return new Evil(server);
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  // ---- the daemon

  private String deploy(AdminClient client, boolean noTraffic) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", app.toString());
    body.put("service", "hello");
    body.put("noTraffic", noTraffic);
    return client.stream("/v1/deploy", body, event -> {}).path("revision").asText();
  }

  private String cliLoginUrl() {
    StringWriter printed = new StringWriter();
    int status =
        Main.newCommandLine()
            .setOut(new PrintWriter(printed))
            .execute("console", "--url", "--state-dir", state.toString());
    assertThat(status).isZero();
    return printed.toString().strip();
  }

  private static String awaitLoginUrl(DaemonProcess daemon) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LOGIN_URL.matcher(daemon.output());
      if (m.find()) {
        return m.group(1);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("pylon server printed no console URL: " + daemon.output());
  }

  private static Map<String, Integer> count(int port, int requests) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      RawHttp.Response answer = RawHttp.get(port, "hello.localhost", "/");
      assertThat(answer.status()).isEqualTo(200);
      counts.merge(answer.body().strip(), 1, Integer::sum);
    }
    return counts;
  }

  private static HttpResponse<String> get(HttpClient http, String url, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(
      HttpClient http, String url, String form, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
