package dev.pylon.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports the app module in a short-lived Python process and inspects the object: a coroutine
 * {@code __call__} or three parameters is ASGI, two is WSGI. The interpreter may lack the app's
 * dependencies (they are installed later, by the build), so a failed import is an answer too.
 */
final class AppProbe {
  private static final Logger log = LoggerFactory.getLogger(AppProbe.class);
  private static final String MARKER = "PYLON-PROBE:";
  private final ObjectMapper json = new ObjectMapper();
  private final Duration timeout;

  AppProbe(Duration timeout) {
    this.timeout = timeout;
  }

  /** What the probe learned. */
  sealed interface Answer {
    /**
     * The object was found; {@code kind} is wsgi, asgi, unknown or not-callable. For a {@code
     * factory} (a function of no arguments, or an attribute given as {@code ATTR()}) they describe
     * the app that calling it returned.
     */
    record Inspected(String kind, String type, boolean factory) implements Answer {
      Inspected(String kind, String type) {
        this(kind, type, false);
      }
    }

    /** The module imported but has no such attribute; {@code callables} are what it has. */
    record NoAttribute(List<String> callables) implements Answer {}

    /** The module has a syntax error at this place. */
    record BadSyntax(String message, Path file, int line, int column, String text)
        implements Answer {}

    /** The import failed (often: dependencies not installed yet). */
    record ImportFailed(String error) implements Answer {}

    /** No answer: the probe could not run or took too long. */
    record NoAnswer(String why) implements Answer {}
  }

  Answer probe(Interpreter python, Path sourceDir, AppTarget app, Map<String, String> userEnv) {
    Path script;
    Path output;
    try {
      script = Files.createTempFile("pylon-probe", ".py");
      output = Files.createTempFile("pylon-probe", ".out");
    } catch (IOException e) {
      return new Answer.NoAnswer("cannot write a temporary file: " + e.getMessage());
    }
    try (InputStream in = AppProbe.class.getResourceAsStream("probe_app.py")) {
      if (in == null) {
        return new Answer.NoAnswer("probe_app.py is missing from the jar");
      }
      Files.write(script, in.readAllBytes());
      ProcessBuilder pb =
          new ProcessBuilder(
              python.executable().toString(),
              script.toString(),
              app.importRoot().toString().isEmpty() ? "." : app.importRoot().toString(),
              app.module(),
              app.attribute() + (app.factory() ? "()" : ""));
      pb.directory(sourceDir.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.redirectOutput(output.toFile());
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      Map<String, String> env = pb.environment();
      env.putAll(userEnv);
      env.put("PYTHONDONTWRITEBYTECODE", "1"); // leave no __pycache__ in the user's folder
      env.putIfAbsent("PORT", "8080");
      app.djangoSettings().ifPresent(s -> env.put("DJANGO_SETTINGS_MODULE", s));
      Process process = pb.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
        return new Answer.NoAnswer(
            "importing "
                + app.module()
                + " took longer than "
                + timeout.toSeconds()
                + " s (does it start a server or connect to something at import?)");
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      return parse(Files.readString(output, StandardCharsets.UTF_8), sourceDir);
    } catch (IOException e) {
      return new Answer.NoAnswer("cannot run " + python.executable() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer.NoAnswer("interrupted");
    } finally {
      deleteQuietly(script);
      deleteQuietly(output);
    }
  }

  private Answer parse(String stdout, Path sourceDir) throws IOException {
    String line = null;
    for (String l : stdout.lines().toList()) {
      if (l.startsWith(MARKER)) {
        line = l.substring(MARKER.length());
      }
    }
    if (line == null) {
      return new Answer.NoAnswer("the probe printed no answer (the app may exit at import)");
    }
    JsonNode a = json.readTree(line);
    if (a.path("ok").asBoolean()) {
      return new Answer.Inspected(
          a.path("kind").asText(), a.path("type").asText(), a.path("factory").asBoolean());
    }
    return switch (a.path("stage").asText()) {
      case "attribute" -> {
        List<String> names = new ArrayList<>();
        a.path("callables").forEach(n -> names.add(n.asText()));
        yield new Answer.NoAttribute(names);
      }
      case "syntax" ->
          new Answer.BadSyntax(
              a.path("error").asText(),
              sourceDir.resolve(a.path("file").asText("")),
              a.path("line").asInt(0),
              a.path("column").asInt(0),
              a.path("text").asText(""));
      default -> new Answer.ImportFailed(a.path("error").asText());
    };
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", p, e.toString());
    }
  }
}
