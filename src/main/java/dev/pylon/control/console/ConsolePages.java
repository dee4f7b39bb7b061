package dev.pylon.control.console;

import static dev.pylon.control.console.Html.esc;
import static dev.pylon.control.console.Html.num;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.control.daemon.EventRecord;
import dev.pylon.control.daemon.RevisionRecord;
import dev.pylon.control.daemon.RevisionScale;
import dev.pylon.control.daemon.ServiceRecord;
import dev.pylon.control.daemon.ServingPlan;
import dev.pylon.runtime.InstanceStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The console's pages as server-rendered HTML: everything shows without JavaScript; the script only
 * refreshes the live parts, checks that traffic shares add to 100 and follows the log.
 */
final class ConsolePages {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The window of the services page's rate and p99. */
  static final Duration SUMMARY_WINDOW = Duration.ofMinutes(5);

  static final int LOG_LINES = 100;

  private final ConsoleBackend backend;
  private final SampleRing ring;
  private final Clock clock;
  private final Supplier<Map<Long, ConsoleSampler.InstanceUse>> use;

  ConsolePages(
      ConsoleBackend backend,
      SampleRing ring,
      Clock clock,
      Supplier<Map<Long, ConsoleSampler.InstanceUse>> use) {
    this.use = use;
    this.backend = backend;
    this.ring = ring;
    this.clock = clock;
  }

  // ---- the services page

  String services(String csrf, Optional<Flash> flash) {
    StringBuilder body = new StringBuilder(4096);
    flash(body, flash);
    body.append("<h1>Services</h1>");
    body.append("<section class=\"live\" data-refresh=\"/console/live\">")
        .append(servicesLive())
        .append("</section>");
    return page("Services", csrf, body.toString());
  }

  /** The part of the services page that refreshes itself. */
  String servicesLive() {
    StringBuilder sb = new StringBuilder(2048);
    List<ServiceRecord> services = backend.services();
    Map<String, RevisionScale> scales = backend.scales();
    List<Sample> samples = ring.samples();
    if (services.isEmpty()) {
      sb.append(
          "<p class=\"empty\">No services yet. Deploy one with <code>pylon deploy DIR</code>.</p>");
    } else {
      sb.append(
          "<table class=\"services\"><thead><tr><th>Service</th><th>URL</th><th>Serving</th>"
              + "<th>Instances<br><small>ready / desired</small></th><th>Requests/s</th>"
              + "<th>p99</th><th>Last deploy</th></tr></thead><tbody>");
      for (ServiceRecord service : services) {
        String name = service.name();
        ServingPlan plan = ServingPlan.of(service, backend.revisions(name));
        int ready = 0;
        int desired = 0;
        for (RevisionScale scale : scales.values()) {
          if (scale.service().equals(name)) {
            ready += scale.ready();
            desired += scale.desired();
          }
        }
        Series.Summary summary = Series.summary(samples, name, SUMMARY_WINDOW);
        String url = backend.serviceUrl(name);
        sb.append("<tr data-service=\"")
            .append(esc(name))
            .append("\"><td><a href=\"/console/services/")
            .append(Html.segment(name))
            .append("\">")
            .append(esc(name))
            .append("</a></td><td><a href=\"")
            .append(esc(url))
            .append("\">")
            .append(esc(url))
            .append("</a></td><td>")
            .append(split(plan.weights()))
            .append("</td><td class=\"n\">")
            .append(ready)
            .append(" / ")
            .append(desired)
            .append("</td><td class=\"n\">")
            .append(num(summary.requestsPerSecond()))
            .append("</td><td class=\"n\">")
            .append(millis(summary.p99Millis()))
            .append("</td><td>")
            .append(lastDeploy(name))
            .append("</td></tr>");
      }
      sb.append("</tbody></table>");
    }
    sb.append("<h2>All requests</h2>").append(charts(samples, null));
    return sb.toString();
  }

  // ---- a service's page

  String service(ServiceRecord service, String csrf, Optional<Flash> flash) {
    String name = service.name();
    String path = "/console/services/" + Html.segment(name);
    List<RevisionRecord> revisions = backend.revisions(name);
    ServingPlan plan = ServingPlan.of(service, revisions);
    StringBuilder body = new StringBuilder(8192);
    body.append("<p class=\"crumbs\"><a href=\"/console/\">Services</a> /</p>");
    body.append("<h1>").append(esc(name)).append("</h1>");
    String url = backend.serviceUrl(name);
    body.append("<p><a href=\"")
        .append(esc(url))
        .append("\">")
        .append(esc(url))
        .append("</a> · serving ")
        .append(split(plan.weights()))
        .append("</p>");
    flash(body, flash);
    body.append("<section class=\"live\" data-refresh=\"")
        .append(path)
        .append("/live\">")
        .append(serviceLive(service))
        .append("</section>");
    revisions(body, name, revisions, plan);
    ActionForms.render(body, service, revisions, plan, path, csrf);
    environment(body, service);
    events(body, name);
    logs(body, name, path, revisions);
    return page(name, csrf, body.toString());
  }

  /** The part of a service's page that refreshes itself: charts, instances, the autoscaler. */
  String serviceLive(ServiceRecord service) {
    String name = service.name();
    StringBuilder sb = new StringBuilder(4096);
    sb.append(charts(ring.samples(), name));
    List<String> revisionIds = new ArrayList<>();
    for (RevisionRecord r : backend.revisions(name)) {
      revisionIds.add(r.id());
    }
    Map<String, List<InstanceStatus>> all = new TreeMap<>(backend.instances());
    all.keySet().retainAll(revisionIds);
    Map<Long, ConsoleSampler.InstanceUse> use = this.use.get();
    Instant now = clock.instant();
    sb.append("<h2>Instances</h2>");
    if (all.values().stream().allMatch(List::isEmpty)) {
      sb.append("<p class=\"empty\">No instance runs (scaled to zero, or nothing serves).</p>");
    } else {
      sb.append(
          "<table class=\"instances\"><thead><tr><th>Instance</th><th>State</th><th>PID</th>"
              + "<th>Port</th><th>Restarts</th><th>Memory</th><th>CPU</th><th>Age</th>"
              + "</tr></thead><tbody>");
      all.forEach(
          (revision, instances) -> {
            for (InstanceStatus instance : instances) {
              ConsoleSampler.InstanceUse u = use.get(instance.pid());
              sb.append("<tr><td>")
                  .append(esc(instance.name()))
                  .append("</td><td><span class=\"state ")
                  .append(instance.state().name().toLowerCase(Locale.ROOT))
                  .append("\">")
                  .append(instance.state().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                  .append("</span></td><td class=\"n\">")
                  .append(instance.pid() > 0 ? Long.toString(instance.pid()) : "-")
                  .append("</td><td class=\"n\">")
                  .append(instance.port() > 0 ? Integer.toString(instance.port()) : "-")
                  .append("</td><td class=\"n\">")
                  .append(Math.max(0, instance.starts() - 1))
                  .append("</td><td class=\"n\">")
                  .append(u == null ? "-" : Html.mib(u.residentBytes()))
                  .append("</td><td class=\"n\">")
                  .append(u == null ? "-" : cpu(u))
                  .append("</td><td>")
                  .append(Html.span(Duration.between(instance.since(), now)))
                  .append("</td></tr>");
            }
          });
      sb.append("</tbody></table>");
    }
    sb.append("<h2>Autoscaler</h2>");
    List<RevisionScale> scales =
        backend.scales().values().stream()
            .filter(s -> s.service().equals(name))
            .sorted(Comparator.comparing(RevisionScale::revision))
            .toList();
    if (scales.isEmpty()) {
      sb.append("<p class=\"empty\">No revision of this service is scaled now.</p>");
    } else {
      sb.append(
          "<table><thead><tr><th>Revision</th><th>Ready / desired</th><th>Target</th>"
              + "<th>Last decision</th></tr></thead><tbody>");
      for (RevisionScale scale : scales) {
        sb.append("<tr><td>")
            .append(esc(scale.revision()))
            .append("</td><td class=\"n\">")
            .append(scale.ready())
            .append(" / ")
            .append(scale.desired())
            .append("</td><td>")
            .append(num(scale.targetPerInstance()))
            .append(' ')
            .append(esc(scale.metric().unit()))
            .append(" per instance</td><td>")
            .append(decision(scale))
            .append("</td></tr>");
      }
      sb.append("</tbody></table>");
    }
    return sb.toString();
  }

  private void revisions(
      StringBuilder sb, String name, List<RevisionRecord> revisions, ServingPlan plan) {
    Instant now = clock.instant();
    sb.append(
        "<h2>Revisions</h2><table class=\"revisions\"><thead><tr><th>Revision</th><th>Created</th>"
            + "<th>Source</th><th>Server</th><th>Status</th><th>Traffic</th><th>Tags</th>"
            + "</tr></thead><tbody>");
    List<RevisionRecord> newestFirst = new ArrayList<>(revisions);
    newestFirst.sort(Comparator.comparingInt(RevisionRecord::number).reversed());
    for (RevisionRecord revision : newestFirst) {
      JsonNode summary = summary(revision);
      int percent = plan.weights().getOrDefault(revision.id(), 0);
      boolean running = plan.revisions().contains(revision.id());
      String status =
          !revision.everReady()
              ? "never ready"
              : percent > 0 ? "serving" : running ? "tagged" : "retired";
      sb.append("<tr data-revision=\"")
          .append(esc(revision.id()))
          .append("\"><td><code>")
          .append(esc(revision.id()))
          .append("</code></td><td title=\"")
          .append(esc(revision.created().toString()))
          .append("\">")
          .append(Html.ago(revision.created(), now))
          .append("</td><td><code>")
          .append(esc(summary.path("source").asText("")))
          .append("</code></td><td><code title=\"")
          .append(esc(String.join(" ", revision.launch().command())))
          .append("\">")
          .append(esc(summary.path("server").asText(String.join(" ", revision.launch().command()))))
          .append("</code></td><td><span class=\"status ")
          .append(status.replace(' ', '-'))
          .append("\">")
          .append(status)
          .append("</span></td><td class=\"n percent\">")
          .append(percent)
          .append(" %</td><td>");
      plan.tags()
          .forEach(
              (tag, id) -> {
                if (id.equals(revision.id())) {
                  String tagUrl = backend.tagUrl(name, tag);
                  sb.append("<a class=\"tag\" href=\"")
                      .append(esc(tagUrl))
                      .append("\">")
                      .append(esc(tag))
                      .append("</a> ");
                }
              });
      sb.append("</td></tr>");
    }
    sb.append("</tbody></table>");
  }

  private void environment(StringBuilder sb, ServiceRecord service) {
    sb.append("<h2>Environment</h2>");
    if (service.env().isEmpty()) {
      sb.append("<p class=\"empty\">No variables. Set one with <code>pylon env ")
          .append(esc(service.name()))
          .append(" set KEY=VALUE</code>.</p>");
      return;
    }
    sb.append("<table class=\"env\"><tbody>");
    new TreeMap<>(service.env())
        .forEach(
            (key, value) ->
                sb.append("<tr><td><code>")
                    .append(esc(key))
                    .append("</code></td><td><code>")
                    .append(esc(SecretNames.shown(key, value)))
                    .append("</code></td></tr>"));
    sb.append("</tbody></table>");
  }

  private void events(StringBuilder sb, String name) {
    Instant now = clock.instant();
    sb.append("<h2>Events</h2><table class=\"events\"><tbody>");
    for (EventRecord event : backend.events(Optional.of(name), 20)) {
      sb.append("<tr><td title=\"")
          .append(esc(event.at().toString()))
          .append("\">")
          .append(Html.ago(event.at(), now))
          .append("</td><td><b>")
          .append(esc(event.kind()))
          .append("</b></td><td><code>")
          .append(esc(event.instance().isEmpty() ? event.revision() : event.instance()))
          .append("</code></td><td>")
          .append(esc(event.detail()))
          .append("</td></tr>");
    }
    sb.append("</tbody></table>");
  }

  private void logs(StringBuilder sb, String name, String path, List<RevisionRecord> revisions) {
    List<LogEntry> lines = LogEntry.merged(backend, revisions, LOG_LINES);
    String since = lines.isEmpty() ? clock.instant().toString() : lines.getLast().time();
    sb.append("<h2>Logs</h2><pre class=\"log\" id=\"log\" data-follow=\"")
        .append(path)
        .append("/logs\" data-since=\"")
        .append(esc(since))
        .append("\">");
    for (LogEntry line : lines) {
      sb.append(line.html());
    }
    sb.append("</pre>");
  }

  // ---- pieces

  private String charts(List<Sample> samples, String service) {
    List<Series.Point> points = Series.points(samples, service);
    int n = points.size();
    double[] rate = new double[n];
    double[] errors = new double[n];
    double[] p50 = new double[n];
    double[] p90 = new double[n];
    double[] p99 = new double[n];
    double[] ready = new double[n];
    double[] desired = new double[n];
    for (int i = 0; i < n; i++) {
      Series.Point p = points.get(i);
      rate[i] = p.requestsPerSecond();
      errors[i] = p.errorsPerSecond();
      p50[i] = p.p50Millis();
      p90[i] = p.p90Millis();
      p99[i] = p.p99Millis();
      ready[i] = p.ready();
      desired[i] = p.desired();
    }
    return "<div class=\"charts\">"
        + Charts.chart("Requests", "per s", List.of(new Charts.Line("rate", rate)))
        + Charts.chart(
            "Latency",
            "ms",
            List.of(
                new Charts.Line("p50", p50),
                new Charts.Line("p90", p90),
                new Charts.Line("p99", p99)))
        + Charts.chart(
            "Instances",
            "",
            List.of(new Charts.Line("ready", ready), new Charts.Line("desired", desired)))
        + Charts.chart("Errors", "5xx per s", List.of(new Charts.Line("5xx", errors)))
        + "</div><p class=\"hint\">Last "
        + Html.span(Console.SAMPLE_EVERY.multipliedBy(Math.max(0, n)))
        + ", one point every "
        + Console.SAMPLE_EVERY.toSeconds()
        + " s, from the counters on <a href=\"/metrics\">/metrics</a>.</p>";
  }

  /** "stable: 60 s average ..." with the rule in bold (the reason often starts with it). */
  private static String decision(RevisionScale scale) {
    String reason = scale.reason();
    if (scale.mode().isEmpty()) {
      return esc(reason);
    }
    String prefix = scale.mode() + ": ";
    String rest = reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason;
    return "<b>" + esc(scale.mode()) + "</b>: " + esc(rest);
  }

  private String lastDeploy(String service) {
    for (EventRecord event : backend.events(Optional.of(service), 200)) {
      if (event.kind().equals("ready") || event.kind().equals("not ready")) {
        boolean ok = event.kind().equals("ready");
        return "<span title=\""
            + esc(event.at().toString())
            + "\">"
            + Html.ago(event.at(), clock.instant())
            + "</span> <span class=\"status "
            + (ok ? "serving" : "never-ready")
            + "\">"
            + (ok ? "ready" : "failed")
            + "</span> <code>"
            + esc(event.revision())
            + "</code>";
      }
    }
    return "-";
  }

  private static String split(Map<String, Integer> weights) {
    if (weights.isEmpty()) {
      return "<span class=\"empty\">nothing</span>";
    }
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(weights)
        .forEach(
            (id, percent) ->
                sb.append("<span class=\"split\"><code>")
                    .append(esc(id))
                    .append("</code> <b class=\"percent\">")
                    .append(percent)
                    .append(" %</b></span> "));
    return sb.toString().strip();
  }

  /** "0.35 s, 2 % of a core": CPU time so far, and the share of a core over the last sample. */
  private static String cpu(ConsoleSampler.InstanceUse u) {
    String total = String.format(Locale.ROOT, "%.2f s", u.cpuSeconds());
    return Double.isNaN(u.cores())
        ? total
        : total + String.format(Locale.ROOT, ", %.0f %% of a core", u.cores() * 100);
  }

  private static String millis(double ms) {
    return Double.isNaN(ms) ? "-" : num(ms) + " ms";
  }

  private static JsonNode summary(RevisionRecord revision) {
    try {
      return JSON.readTree(revision.summary());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static void flash(StringBuilder sb, Optional<Flash> flash) {
    flash.ifPresent(
        f ->
            sb.append("<p class=\"flash ")
                .append(f.error() ? "error" : "ok")
                .append("\" role=\"")
                .append(f.error() ? "alert" : "status")
                .append("\">")
                .append(esc(f.text()))
                .append("</p>"));
  }

  static String page(String title, String csrf, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + esc(title)
        + " · Pylon</title><link rel=\"stylesheet\" href=\"/console/static/console.css\">"
        // An empty icon: without it the browser asks the admin API for /favicon.ico.
        + "<link rel=\"icon\" href=\"data:,\">"
        + (csrf == null ? "" : "<meta name=\"csrf\" content=\"" + esc(csrf) + "\">")
        + "</head><body><header><a href=\"/console/\" class=\"brand\">Pylon</a> console</header><main>"
        + body
        + "</main><script src=\"/console/static/console.js\" defer></script></body></html>";
  }

  /** What the page says to someone without a session: how to get one, and nothing else. */
  static String unauthorized(String why) {
    return page(
        "Log in",
        null,
        "<h1>Log in</h1><p>"
            + esc(why)
            + "</p><p>Open the URL that <code>pylon server</code> printed, or run <code>pylon"
            + " console</code> for a new one. Each login URL works once.</p>");
  }

  /** A message shown once on the next page, after an action. */
  record Flash(boolean error, String text) {}
}
