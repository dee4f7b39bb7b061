package dev.pylon.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code pylon inspect} prints: each decision with the file that made it. {@link #human} for a
 * person, {@link #json} for machines (keys stable; documented in CONFIGURATION-DRAFT.md).
 */
public final class SpecReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SpecReport() {}

  public static String human(ServiceSpec s, List<SpecProblem> warnings) {
    StringBuilder out = new StringBuilder();
    line(out, "service", s.name(), "");
    line(out, "source", s.sourceDir().toString(), "");
    line(
        out,
        "python",
        s.python().version() + " (" + s.python().executable() + ")",
        s.python().decidedBy());
    line(out, "dependencies", dependencies(s.dependencies()), s.dependencies().decidedBy());
    line(
        out,
        "app",
        s.app().map(a -> a.reference() + " [" + a.kind() + "]").orElse("not detected"),
        s.app().map(AppTarget::decidedBy).orElse("the entrypoint runs the app"));
    line(out, "server", s.server().kind().name().toLowerCase(Locale.ROOT), s.server().reason());
    line(out, "command", s.server().displayCommand(), "");
    line(out, "workers", workers(s), "");
    line(
        out,
        "instances",
        s.instances().isPresent()
            ? s.instances().getAsInt() + " (fixed)"
            : "one per core unless the daemon's autoscaler decides",
        "");
    Scaling sc = s.scaling();
    line(
        out,
        "scaling",
        sc.minInstances()
            + " to "
            + sc.maxInstances()
            + " instances, target "
            + YamlFields.plain(sc.targetConcurrency())
            + " requests at "
            + Math.round(sc.targetUtilization() * 100)
            + "%, cool-down "
            + sc.coolDown().toSeconds()
            + "s",
        sc.decidedBy());
    Concurrency c = s.concurrency();
    line(
        out,
        "concurrency",
        (c.maxPerInstance() == 0 ? "no cap" : c.maxPerInstance() + " requests per instance")
            + ", timeout "
            + c.requestTimeout().toSeconds()
            + "s",
        c.decidedBy());
    line(out, "readiness", probe(s.probes().readiness()), s.probes().readiness().decidedBy());
    line(out, "liveness", probe(s.probes().liveness()), s.probes().liveness().decidedBy());
    Resources r = s.resources();
    line(
        out,
        "resources",
        "cpu "
            + YamlFields.plain(r.cpu())
            + ", memory "
            + (r.memoryMb().isPresent() ? r.memoryMb().getAsLong() + " MB" : "no limit")
            + (r.diskGb() > 0 ? ", disk " + YamlFields.plain(r.diskGb()) + " GB" : ""),
        r.decidedBy());
    if (s.env().isEmpty()) {
      line(out, "environment", "(none of your own)", "");
    } else {
      boolean first = true;
      for (Map.Entry<String, String> e : s.env().entrySet()) {
        line(out, first ? "environment" : "", e.getKey() + "=" + e.getValue(), "");
        first = false;
      }
    }
    line(
        out,
        "pre-start",
        s.preStart().orElse("(none)"),
        s.preStart().isPresent() ? "Procfile release:" : "");
    if (!warnings.isEmpty()) {
      out.append("\nwarnings:\n");
      for (SpecProblem w : warnings) {
        out.append(w.render().indent(2));
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String value, String why) {
    out.append(String.format("%-13s %s%n", label, value));
    if (!why.isEmpty()) {
      out.append(String.format("%-13s   <- %s%n", "", why));
    }
  }

  private static String dependencies(Dependencies d) {
    if (d.kind() == Dependencies.Kind.NONE) {
      return "none";
    }
    return d.kind().name().toLowerCase(Locale.ROOT)
        + ": "
        + (d.packages().isEmpty() ? "(no packages)" : String.join(", ", d.packages()));
  }

  private static String workers(ServiceSpec s) {
    return switch (s.server().kind()) {
      case GUNICORN ->
          Defaults.GUNICORN_WORKERS + " gunicorn worker, " + s.threads() + " threads per instance";
      case UVICORN -> "1 uvicorn process (event loop) per instance";
      case HYPERCORN -> "1 hypercorn process (event loop) per instance";
      case BUILTIN -> "1 process, " + s.threads() + " threads per instance";
      case BUILTIN_ASGI -> "1 process (asyncio event loop) per instance";
      case ENTRYPOINT -> "as the entrypoint decides";
    };
  }

  private static String probe(Probe p) {
    return p.describe()
        + " every "
        + seconds(p.period())
        + ", timeout "
        + seconds(p.timeout())
        + (p.initialDelay().isZero() ? "" : ", after " + seconds(p.initialDelay()))
        + ", unhealthy after "
        + p.failureThreshold()
        + " failed, healthy after "
        + p.successThreshold()
        + " passed";
  }

  private static String seconds(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** The same facts as {@link #human}, as JSON with stable keys. */
  public static String json(ServiceSpec s, List<SpecProblem> warnings) {
    ObjectNode root = JSON.createObjectNode();
    root.put("service", s.name());
    root.put("sourceDir", s.sourceDir().toString());
    ObjectNode py = root.putObject("python");
    py.put("executable", s.python().executable().toString());
    py.put("version", s.python().version());
    py.put("decidedBy", s.python().decidedBy());
    ObjectNode deps = root.putObject("dependencies");
    deps.put("kind", s.dependencies().kind().name());
    ArrayNode files = deps.putArray("files");
    s.dependencies().files().forEach(f -> files.add(f.toString()));
    ArrayNode packages = deps.putArray("packages");
    s.dependencies().packages().forEach(packages::add);
    deps.put("decidedBy", s.dependencies().decidedBy());
    if (s.app().isPresent()) {
      AppTarget a = s.app().get();
      ObjectNode app = root.putObject("app");
      app.put("module", a.module());
      app.put("attribute", a.attribute());
      app.put("kind", a.kind().name());
      app.put("importRoot", a.importRoot().toString());
      app.put("factory", a.factory());
      if (a.djangoSettings().isPresent()) {
        app.put("djangoSettings", a.djangoSettings().get());
      } else {
        app.putNull("djangoSettings");
      }
      app.put("decidedBy", a.decidedBy());
    } else {
      root.putNull("app");
    }
    ObjectNode server = root.putObject("server");
    server.put("kind", s.server().kind().name());
    ArrayNode args = server.putArray("args");
    s.server().args().forEach(args::add);
    server.put("shellCommand", s.server().shellCommand());
    server.put("displayCommand", s.server().displayCommand());
    server.put("reason", s.server().reason());
    root.put("threads", s.threads());
    if (s.instances().isPresent()) {
      root.put("instances", s.instances().getAsInt());
    } else {
      root.putNull("instances");
    }
    ObjectNode scaling = root.putObject("scaling");
    scaling.put("minInstances", s.scaling().minInstances());
    scaling.put("maxInstances", s.scaling().maxInstances());
    scaling.put("targetConcurrency", s.scaling().targetConcurrency());
    scaling.put("targetUtilization", s.scaling().targetUtilization());
    scaling.put("coolDownSeconds", s.scaling().coolDown().toSeconds());
    scaling.put("decidedBy", s.scaling().decidedBy());
    ObjectNode conc = root.putObject("concurrency");
    conc.put("maxPerInstance", s.concurrency().maxPerInstance());
    conc.put("requestTimeoutSeconds", s.concurrency().requestTimeout().toSeconds());
    conc.put("decidedBy", s.concurrency().decidedBy());
    ObjectNode probes = root.putObject("probes");
    probeJson(probes.putObject("readiness"), s.probes().readiness());
    probeJson(probes.putObject("liveness"), s.probes().liveness());
    ObjectNode res = root.putObject("resources");
    res.put("cpu", s.resources().cpu());
    if (s.resources().memoryMb().isPresent()) {
      res.put("memoryMb", s.resources().memoryMb().getAsLong());
    } else {
      res.putNull("memoryMb");
    }
    res.put("diskGb", s.resources().diskGb());
    res.put("decidedBy", s.resources().decidedBy());
    ObjectNode env = root.putObject("env");
    s.env().forEach(env::put);
    if (s.preStart().isPresent()) {
      root.put("preStart", s.preStart().get());
    } else {
      root.putNull("preStart");
    }
    root.put("fromAppYaml", s.fromAppYaml());
    problems(root.putArray("warnings"), warnings);
    return write(root);
  }

  /**
   * A folder that cannot run, for machines: {@code {"errors": [{file, line, column, message, hint,
   * sourceLine}]}}.
   */
  public static String json(SpecResult.Invalid invalid) {
    ObjectNode root = JSON.createObjectNode();
    problems(root.putArray("errors"), invalid.errors());
    return write(root);
  }

  private static void problems(ArrayNode into, List<SpecProblem> problems) {
    for (SpecProblem p : problems) {
      ObjectNode o = into.addObject();
      o.put("file", p.file().toString());
      o.put("line", p.line());
      o.put("column", p.column());
      o.put("message", p.message());
      o.put("hint", p.hint());
      o.put("sourceLine", p.sourceLine());
    }
  }

  private static String write(ObjectNode root) {
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static void probeJson(ObjectNode o, Probe p) {
    if (p.httpPath().isPresent()) {
      o.put("httpPath", p.httpPath().get());
    } else {
      o.putNull("httpPath");
    }
    o.put("initialDelaySeconds", p.initialDelay().toMillis() / 1000.0);
    o.put("periodSeconds", p.period().toMillis() / 1000.0);
    o.put("timeoutSeconds", p.timeout().toMillis() / 1000.0);
    o.put("failureThreshold", p.failureThreshold());
    o.put("successThreshold", p.successThreshold());
    o.put("startTimeoutSeconds", p.startTimeout().toSeconds());
    o.put("decidedBy", p.decidedBy());
  }
}
