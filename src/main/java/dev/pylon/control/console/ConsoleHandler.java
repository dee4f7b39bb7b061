package dev.pylon.control.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.pylon.control.admin.RequestUrls;
import dev.pylon.control.console.ConsolePages.Flash;
import dev.pylon.control.daemon.ServiceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /console/...} on the admin port. Every page and call needs a session cookie (from a
 * one-time login URL) or the admin API's bearer token, else it answers 401 and shows no state. A
 * state-changing call from a browser must come from the console's own origin and carry the
 * session's CSRF token; it then goes through the same operation as the CLI's, and the page shows
 * the outcome (or the refusal's text) once, after a redirect.
 */
final class ConsoleHandler implements HttpHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String LOGIN_PATH = "/console/login";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src"
          + " 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final ConsoleBackend backend;
  private final ConsoleAuth auth;
  private final ConsolePages pages;
  private final Supplier<String> loginUrl;
  private final Map<String, Flash> flashes = new ConcurrentHashMap<>();
  private final Map<String, byte[]> assets = new LinkedHashMap<>();
  private volatile boolean closed;

  /** Who is calling: a browser's session, or a holder of the admin token (no session). */
  private record Caller(Optional<ConsoleAuth.Session> session) {
    boolean bearer() {
      return session.isEmpty();
    }
  }

  ConsoleHandler(
      ConsoleBackend backend,
      ConsoleAuth auth,
      SampleRing ring,
      ConsoleSampler sampler,
      Clock clock,
      Supplier<String> loginUrl) {
    this.backend = backend;
    this.auth = auth;
    this.pages = new ConsolePages(backend, ring, clock, sampler::use);
    this.loginUrl = loginUrl;
    assets.put("console.css", resource("console.css"));
    assets.put("console.js", resource("console.js"));
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (IOException e) {
        log.debug("console client went away: {}", e.getMessage());
      } catch (MethodNotAllowed e) {
        text(exchange, 405, exchange.getRequestMethod() + " is not allowed here");
      } catch (RuntimeException e) {
        log.error("console request {} failed", exchange.getRequestURI(), e);
        if (exchange.getResponseCode() == -1) {
          html(
              exchange,
              500,
              ConsolePages.page(
                  "Failed",
                  null,
                  "<h1>The daemon failed</h1><p>"
                      + Html.esc(e.toString())
                      + "</p><p>See the daemon's log.</p>"));
        }
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    secure(exchange);
    if (!path.equals("/console") && !path.startsWith("/console/")) {
      text(exchange, 404, "no such page: " + path);
      return;
    }
    if (path.equals(LOGIN_PATH)) {
      logIn(exchange);
      return;
    }
    if (path.startsWith("/console/static/")) {
      byte[] asset = assets.get(path.substring("/console/static/".length()));
      if (asset == null || !method.equals("GET")) {
        text(exchange, 404, "no such file");
      } else {
        send(
            exchange,
            200,
            path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
            asset);
      }
      return;
    }
    Optional<Caller> caller = caller(exchange);
    if (caller.isEmpty()) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      html(
          exchange,
          401,
          ConsolePages.unauthorized(
              "This console needs a login: no valid session or token came with the request."));
      return;
    }
    if (path.equals("/console/login-link")) {
      // The CLI's `pylon console`: a new one-time URL, for the admin token only.
      if (!caller.get().bearer() || !method.equals("POST")) {
        text(exchange, 405, "POST with the admin token");
        return;
      }
      ObjectNode node = JSON.createObjectNode();
      node.put("url", loginUrl.get());
      send(
          exchange,
          200,
          "application/json",
          (node.toString() + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    List<String> parts = segments(path);
    // parts[0] is "console"
    if (parts.size() == 1 || (parts.size() == 2 && parts.get(1).equals("live"))) {
      requireGet(exchange);
      if (parts.size() == 1) {
        html(exchange, 200, pages.services(csrf(caller.get()), flash(caller.get())));
      } else {
        html(exchange, 200, pages.servicesLive());
      }
      return;
    }
    if (parts.size() == 2 && parts.get(1).equals("logout") && method.equals("POST")) {
      if (refusedStateChange(exchange, caller.get(), form(exchange))) {
        return;
      }
      caller.get().session().ifPresent(s -> auth.logOut(s.id()));
      exchange.getResponseHeaders().add("Set-Cookie", ConsoleAuth.clearedCookie());
      html(exchange, 200, ConsolePages.unauthorized("You are logged out."));
      return;
    }
    if (parts.size() >= 3 && parts.get(1).equals("services")) {
      service(exchange, caller.get(), parts.get(2), parts.subList(3, parts.size()));
      return;
    }
    html(
        exchange,
        404,
        ConsolePages.page(
            "Not found", null, "<h1>No such page</h1><p><a href=\"/console/\">Services</a></p>"));
  }

  private void service(HttpExchange exchange, Caller caller, String name, List<String> rest)
      throws IOException {
    Optional<ServiceRecord> service = backend.service(name);
    String method = exchange.getRequestMethod();
    String page = "/console/services/" + Html.segment(name);
    if (method.equals("POST") && rest.size() == 1) {
      Map<String, String> form = form(exchange);
      if (refusedStateChange(exchange, caller, form)) {
        return;
      }
      act(exchange, caller, name, rest.get(0), form, page);
      return;
    }
    if (service.isEmpty()) {
      html(
          exchange,
          404,
          ConsolePages.page(
              "Not found",
              csrf(caller),
              "<h1>No service "
                  + Html.esc(name)
                  + "</h1><p>It may have been deleted. <a href=\"/console/\">Services</a></p>"));
      return;
    }
    requireGet(exchange);
    if (rest.isEmpty()) {
      html(exchange, 200, pages.service(service.get(), csrf(caller), flash(caller)));
    } else if (rest.equals(List.of("live"))) {
      html(exchange, 200, pages.serviceLive(service.get()));
    } else if (rest.equals(List.of("logs"))) {
      followLogs(exchange, name);
    } else {
      text(exchange, 404, "no such page");
    }
  }

  private void act(
      HttpExchange exchange,
      Caller caller,
      String name,
      String action,
      Map<String, String> form,
      String page)
      throws IOException {
    String next = page;
    Flash outcome;
    try {
      outcome =
          switch (action) {
            case "traffic" -> {
              Map<String, Integer> percents = new LinkedHashMap<>();
              for (Map.Entry<String, String> field : form.entrySet()) {
                if (field.getKey().startsWith("share.")) {
                  percents.put(
                      field.getKey().substring("share.".length()),
                      number(field.getValue(), "a share"));
                }
              }
              backend.setTraffic(name, percents);
              yield new Flash(false, "Traffic of " + name + " set: " + describe(percents));
            }
            case "rollback" -> new Flash(false, name + " now serves " + backend.rollback(name));
            case "tag" -> {
              String revision = form.getOrDefault("revision", "");
              String tag = form.getOrDefault("tag", "").strip();
              backend.tag(name, revision, tag);
              yield new Flash(
                  false, revision + " is tagged " + tag + ": " + backend.tagUrl(name, tag));
            }
            case "scale" -> {
              backend.scale(
                  name,
                  number(form.getOrDefault("min", ""), "min"),
                  number(form.getOrDefault("max", ""), "max"),
                  number(form.getOrDefault("concurrency", ""), "concurrency"));
              yield new Flash(
                  false,
                  name
                      + " scales from "
                      + form.get("min")
                      + " to "
                      + form.get("max")
                      + " instances, "
                      + form.get("concurrency")
                      + " requests each");
            }
            case "delete" -> {
              if (!form.getOrDefault("confirm", "").strip().equals(name)) {
                throw new ActionRefused(
                    "the confirmation \""
                        + form.getOrDefault("confirm", "")
                        + "\" is not the service's name",
                    "type " + name + " to delete it");
              }
              backend.delete(name);
              next = "/console/";
              yield new Flash(false, name + " is deleted; its instances stop");
            }
            default ->
                throw new ActionRefused("no such action: " + action, "use the page's buttons");
          };
    } catch (ActionRefused e) {
      outcome = new Flash(true, "Refused: " + e.text());
    }
    if (caller.bearer()) {
      text(exchange, outcome.error() ? 409 : 200, outcome.text());
      return;
    }
    flashes.put(caller.session().get().id(), outcome);
    exchange.getResponseHeaders().set("Location", next);
    exchange.sendResponseHeaders(303, -1);
  }

  /**
   * Refuses (403) a browser's state change that came from another origin or without the page's CSRF
   * token; a forged form on another site gets here without the token, since it cannot read the page
   * that holds it.
   */
  private boolean refusedStateChange(HttpExchange exchange, Caller caller, Map<String, String> form)
      throws IOException {
    if (caller.bearer()) {
      return false;
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    String fetchSite = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    String why = null;
    if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
      why = "the request came from another site (" + fetchSite + ")";
    } else if (origin != null && !origin.equals("http://" + host)) {
      why = "the request came from " + origin + ", not from this console";
    } else {
      String offered =
          form.getOrDefault("csrf", exchange.getRequestHeaders().getFirst(CSRF_HEADER));
      if (!ConsoleAuth.csrfMatches(caller.session().get(), offered)) {
        why = "the request carried no valid CSRF token";
      }
    }
    if (why == null) {
      return false;
    }
    log.warn("console: refused a state change to {}: {}", exchange.getRequestURI(), why);
    html(
        exchange,
        403,
        ConsolePages.page(
            "Refused",
            null,
            "<h1>Refused</h1><p>"
                + Html.esc(why)
                + ". Nothing was changed. Use the console's own pages.</p>"));
    return true;
  }

  /** Server-Sent Events: each new log line of the service's revisions, as instances write it. */
  private void followLogs(HttpExchange exchange, String name) throws IOException {
    Instant since =
        parseInstant(exchange.getRequestHeaders().getFirst("Last-Event-ID"))
            .or(() -> parseInstant(query(exchange).get("since")))
            .orElse(Instant.now());
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    new LogFollower(backend, () -> closed).follow(name, since, exchange.getResponseBody());
  }

  private void logIn(HttpExchange exchange) throws IOException {
    requireGet(exchange);
    Optional<ConsoleAuth.Session> session = auth.logIn(query(exchange).get("token"));
    if (session.isEmpty()) {
      html(
          exchange,
          401,
          ConsolePages.unauthorized(
              "This login URL is not valid: it was used already, it expired, or the daemon restarted."));
      return;
    }
    exchange.getResponseHeaders().add("Set-Cookie", ConsoleAuth.cookieFor(session.get()));
    exchange.getResponseHeaders().set("Location", "/console/");
    exchange.sendResponseHeaders(303, -1);
  }

  private Optional<Caller> caller(HttpExchange exchange) {
    if (backend.acceptsBearer(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return Optional.of(new Caller(Optional.empty()));
    }
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      Optional<ConsoleAuth.Session> session =
          ConsoleAuth.cookieValue(header).flatMap(auth::session);
      if (session.isPresent()) {
        return Optional.of(new Caller(session));
      }
    }
    return Optional.empty();
  }

  private static String csrf(Caller caller) {
    return caller.session().map(ConsoleAuth.Session::csrf).orElse(null);
  }

  private Optional<Flash> flash(Caller caller) {
    return caller.session().map(s -> flashes.remove(s.id()));
  }

  // ---- plumbing

  private static void secure(HttpExchange exchange) {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Security-Policy", CSP);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: with no-referrer a form POST carries "Origin: null".
    headers.set("Referrer-Policy", "same-origin");
    headers.set("Cache-Control", "no-store");
  }

  private static void requireGet(HttpExchange exchange) {
    if (!exchange.getRequestMethod().equals("GET")) {
      throw new MethodNotAllowed();
    }
  }

  /** A method a console path does not take: answered 405 by {@link #handle}. */
  private static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MethodNotAllowed() {
      super("method not allowed", null, false, false);
    }
  }

  private static void html(HttpExchange exchange, int status, String page) throws IOException {
    send(exchange, status, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    send(
        exchange,
        status,
        "text/plain; charset=utf-8",
        (body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    String accepts = exchange.getRequestHeaders().getFirst("Accept-Encoding");
    if (accepts != null && accepts.contains("gzip") && body.length > 512) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 3);
      try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
        gzip.write(body);
      }
      body = zipped.toByteArray();
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
      exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static Map<String, String> form(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return decode(new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    String raw = exchange.getRequestURI().getRawQuery();
    return raw == null ? Map.of() : decode(raw);
  }

  private static Map<String, String> decode(String raw) {
    return RequestUrls.fields(raw);
  }

  private static List<String> segments(String rawPath) {
    return RequestUrls.segments(rawPath);
  }

  private static int number(String text, String what) throws ActionRefused {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new ActionRefused(what + " must be a whole number, not \"" + text + "\"", "");
    }
  }

  private static String describe(Map<String, Integer> percents) {
    StringBuilder sb = new StringBuilder();
    percents.forEach(
        (id, p) -> {
          if (p > 0) {
            sb.append(sb.isEmpty() ? "" : ", ").append(id).append(' ').append(p).append(" %");
          }
        });
    return sb.toString();
  }

  private static Optional<Instant> parseInstant(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text.strip()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = ConsoleHandler.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the console's " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
