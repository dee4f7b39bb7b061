package dev.pylon.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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

  /**
   * Variables of the caller's shell that say nothing about the app and change from call to call.
   */
  private static final Set<String> VOLATILE_ENV =
      Set.of(
          "_",
          "PWD",
          "OLDPWD",
          "SHLVL",
          "TERM",
          "COLUMNS",
          "LINES",
          "TERM_SESSION_ID",
          // hyperfine changes it on every run, to vary the stack alignment
          "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET");

  private final ObjectMapper json = new ObjectMapper();
  private final Duration timeout;
  private final Optional<ProbeCache> cache;

  AppProbe(Duration timeout) {
    this(timeout, Optional.empty());
  }

  AppProbe(Duration timeout, Optional<ProbeCache> cache) {
    this.timeout = timeout;
    this.cache = cache;
  }

  AppProbe withCache(ProbeCache cache) {
    return new AppProbe(timeout, Optional.of(cache));
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
    return ask(python, sourceDir, app, userEnv, false).answer();
  }

  /**
   * The answer to go on with now. When the cache holds an answer for the same question that is out
   * of date (a file the import read has changed since), that answer is given at once and the probe
   * runs again in the background: {@link Ahead#running()} is its fresh answer, to be awaited before
   * trusting the first. Otherwise the same as {@link #probe}.
   */
  Ahead probeAhead(Interpreter python, Path sourceDir, AppTarget app, Map<String, String> userEnv) {
    return ask(python, sourceDir, app, userEnv, true);
  }

  /** The answer to go on with, and the probe still running when that answer may be out of date. */
  record Ahead(Answer answer, Optional<Running> running) {}

  /** A probe running in the background, and the answer the same question had before. */
  final class Running {
    private final Answer previous;
    private final Started started;
    private final String key;
    private final Interpreter python;
    private final long startedMillis;
    private Answer answer;

    private Running(
        Answer previous, Started started, String key, Interpreter python, long startedMillis) {
      this.previous = previous;
      this.started = started;
      this.key = key;
      this.python = python;
      this.startedMillis = startedMillis;
    }

    /** The answer the cache held from before the app changed. */
    Answer previous() {
      return previous;
    }

    /** The fresh answer (kept in the cache as {@link #probe} keeps it); waits for the probe. */
    synchronized Answer await() {
      if (answer == null) {
        answer = kept(finish(started), key, python, startedMillis);
      }
      return answer;
    }

    /** Stops the probe if it still runs: its answer is not wanted. */
    void cancel() {
      started.cancel();
    }
  }

  private Ahead ask(
      Interpreter python,
      Path sourceDir,
      AppTarget app,
      Map<String, String> userEnv,
      boolean ahead) {
    byte[] code;
    try (InputStream in = AppProbe.class.getResourceAsStream("probe_app.py")) {
      if (in == null) {
        return settled(new Answer.NoAnswer("probe_app.py is missing from the jar"));
      }
      code = in.readAllBytes();
    } catch (IOException e) {
      return settled(
          new Answer.NoAnswer("cannot read probe_app.py from the jar: " + e.getMessage()));
    }
    List<String> args =
        List.of(
            python.executable().toString(),
            app.importRoot().toString().isEmpty() ? "." : app.importRoot().toString(),
            app.module(),
            app.attribute() + (app.factory() ? "()" : ""));
    Map<String, String> env = new TreeMap<>(System.getenv());
    env.putAll(userEnv);
    env.put("PYTHONDONTWRITEBYTECODE", "1"); // leave no __pycache__ in the user's folder
    env.putIfAbsent("PORT", "8080");
    app.djangoSettings().ifPresent(s -> env.put("DJANGO_SETTINGS_MODULE", s));
    if (cache.isEmpty()) {
      return settled(finish(start(code, args, sourceDir, env, app)).answer());
    }
    List<String> inputs = new ArrayList<>(args);
    inputs.add(new String(code, StandardCharsets.UTF_8));
    inputs.add(sourceDir.toString());
    env.forEach((k, v) -> inputs.add(VOLATILE_ENV.contains(k) ? "" : k + "=" + v));
    String key = ProbeCache.key(inputs);
    ProbeCache.Found cached = cache.get().lookup(key);
    if (cached.answer().isPresent() && cached.current()) {
      Optional<Answer> answer = parsed(cached.answer().get(), sourceDir);
      if (answer.isPresent()) {
        return settled(answer.get());
      }
    }
    Optional<Answer> previous =
        ahead ? cached.answer().flatMap(line -> parsed(line, sourceDir)) : Optional.empty();
    long started = System.currentTimeMillis();
    Started probe = start(code, args, sourceDir, env, app);
    if (previous.isPresent()) {
      return new Ahead(
          previous.get(), Optional.of(new Running(previous.get(), probe, key, python, started)));
    }
    return settled(kept(finish(probe), key, python, started));
  }

  private static Ahead settled(Answer answer) {
    return new Ahead(answer, Optional.empty());
  }

  private Optional<Answer> parsed(String line, Path sourceDir) {
    try {
      return Optional.of(parse(line, sourceDir).answer());
    } catch (IOException | RuntimeException e) {
      log.debug("ignoring a probe cache entry that does not parse: {}", e.toString());
      return Optional.empty();
    }
  }

  /** The answer, kept in the cache unless it is a failure that may pass. */
  private Answer kept(Parsed parsed, String key, Interpreter python, long started) {
    if (parsed.reads().isPresent()
        && (parsed.answer() instanceof Answer.Inspected
            || parsed.answer() instanceof Answer.NoAttribute
            || parsed.answer() instanceof Answer.BadSyntax)) {
      // A failed import is probed again: it often fails for a reason outside the files it read
      // (a dependency installed since, a service that was down).
      List<String> reads = new ArrayList<>(parsed.reads().get());
      reads.add(python.executable().toString());
      cache.orElseThrow().store(key, parsed.line(), reads, started);
    }
    return parsed.answer();
  }

  /** An answer, the line it was read from (without its reads) and the paths the import read. */
  private record Parsed(Answer answer, String line, Optional<List<String>> reads) {
    static Parsed of(Answer answer) {
      return new Parsed(answer, "", Optional.empty());
    }
  }

  /** A probe process, or why none could start. */
  private record Started(
      Optional<Process> process,
      Path script,
      Path output,
      Path sourceDir,
      AppTarget app,
      Optional<Answer> failed) {
    void cancel() {
      process.ifPresent(
          p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
          });
      deleteQuietly(script);
      deleteQuietly(output);
    }
  }

  private Started start(
      byte[] code, List<String> args, Path sourceDir, Map<String, String> env, AppTarget app) {
    Path script;
    Path output;
    try {
      script = Files.createTempFile("pylon-probe", ".py");
      output = Files.createTempFile("pylon-probe", ".out");
    } catch (IOException e) {
      return failed(sourceDir, app, "cannot write a temporary file: " + e.getMessage());
    }
    try {
      Files.write(script, code);
      List<String> command = new ArrayList<>();
      command.add(args.get(0));
      command.add(script.toString());
      command.addAll(args.subList(1, args.size()));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.directory(sourceDir.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.redirectOutput(output.toFile());
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().clear();
      pb.environment().putAll(env);
      return new Started(Optional.of(pb.start()), script, output, sourceDir, app, Optional.empty());
    } catch (IOException e) {
      deleteQuietly(script);
      deleteQuietly(output);
      return failed(sourceDir, app, "cannot run " + args.get(0) + ": " + e.getMessage());
    }
  }

  private static Started failed(Path sourceDir, AppTarget app, String why) {
    Path none = Path.of("/nonexistent");
    return new Started(
        Optional.empty(), none, none, sourceDir, app, Optional.of(new Answer.NoAnswer(why)));
  }

  private Parsed finish(Started started) {
    if (started.failed().isPresent()) {
      return Parsed.of(started.failed().get());
    }
    Process process = started.process().orElseThrow();
    AppTarget app = started.app();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
        return Parsed.of(
            new Answer.NoAnswer(
                "importing "
                    + app.module()
                    + " took longer than "
                    + timeout.toSeconds()
                    + " s (does it start a server or connect to something at import?)"));
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      String line = null;
      for (String l : Files.readString(started.output(), StandardCharsets.UTF_8).lines().toList()) {
        if (l.startsWith(MARKER)) {
          line = l.substring(MARKER.length());
        }
      }
      if (line == null) {
        return Parsed.of(
            new Answer.NoAnswer("the probe printed no answer (the app may exit at import)"));
      }
      return parse(line, started.sourceDir());
    } catch (IOException e) {
      return Parsed.of(new Answer.NoAnswer("cannot read the probe's answer: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Parsed.of(new Answer.NoAnswer("interrupted"));
    } finally {
      deleteQuietly(started.script());
      deleteQuietly(started.output());
    }
  }

  /** The probe's JSON line as an answer. */
  private Parsed parse(String line, Path sourceDir) throws IOException {
    JsonNode a = json.readTree(line);
    Optional<List<String>> reads = Optional.empty();
    if (a instanceof ObjectNode object && object.remove("reads") instanceof ArrayNode paths) {
      List<String> names = new ArrayList<>();
      paths.forEach(p -> names.add(p.asText()));
      reads = Optional.of(names);
      line = json.writeValueAsString(object);
    }
    return new Parsed(answer(a, sourceDir), line, reads);
  }

  private static Answer answer(JsonNode a, Path sourceDir) {
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
