package dev.pylon.revision;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A python-build-standalone mirror on loopback, laid out as {@code PYLON_PYTHON_MIRROR} must be
 * ({@code /RELEASE/SHA256SUMS}, {@code /RELEASE/ARCHIVE}), serving one install-only build made from
 * Debian's interpreter. Debian's {@code python3.11} links no libpython and finds its standard
 * library next to itself, so a copy of it under {@code python/bin} with {@code
 * python/lib/python3.11} runs from any folder, as a real build does. No test reaches the internet.
 */
public final class LocalPythonMirror implements AutoCloseable {
  public static final String RELEASE = "20990101";
  private static final Path DEBIAN = Path.of("/usr/bin/python3");

  /** What the mirror does wrong, if anything. */
  public enum Fault {
    NONE,
    WRONG_CHECKSUM,
    NO_ARCHIVE,
    NO_RELEASE,
    CUT_OFF,
    /** Half the archive, then nothing (the connection stays open) for up to 30 s. */
    STALL
  }

  private static volatile Build build;

  private record Build(Path archive, String version, String sha256) {}

  private final HttpServer server;
  private final Build served;
  private final String asset;
  private final AtomicInteger archiveRequests = new AtomicInteger();
  private volatile Fault fault = Fault.NONE;

  private LocalPythonMirror(HttpServer server, Build served, String asset) {
    this.server = server;
    this.served = served;
    this.asset = asset;
  }

  /** Starts a mirror; skips the test where Debian's python3 is missing. */
  public static LocalPythonMirror start() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(DEBIAN), "Debian's python3 is not installed");
    Build b = build();
    String triple =
        StandaloneMirror.thisMachine(System.getProperty("os.name"), System.getProperty("os.arch"))
            .orElseThrow();
    String asset = "cpython-" + b.version() + "+" + RELEASE + "-" + triple + "-install_only.tar.gz";
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    LocalPythonMirror mirror = new LocalPythonMirror(server, b, asset);
    server.createContext("/", mirror::handle);
    // Each exchange on its own thread: a stalled one must not hold up the others or close().
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return mirror;
  }

  /** The version of the one build served, for example {@code 3.11.2}. */
  public String version() {
    return served.version();
  }

  public URI base() {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/python-build-standalone");
  }

  /** What {@code pylon} reads to use this mirror. */
  public Map<String, String> env() {
    return Map.of("PYLON_PYTHON_MIRROR", base().toString(), "PYLON_PYTHON_RELEASE", RELEASE);
  }

  public StandaloneMirror mirror() {
    return StandaloneMirror.fromEnvironment(env());
  }

  public void fail(Fault f) {
    this.fault = f;
  }

  /** How many times the archive was asked for. */
  public int archiveRequests() {
    return archiveRequests.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String release = "/python-build-standalone/" + RELEASE + "/";
      if (fault == Fault.NO_RELEASE || !path.startsWith(release)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String name = path.substring(release.length());
      if (name.equals("SHA256SUMS")) {
        String sha = fault == Fault.WRONG_CHECKSUM ? "0".repeat(64) : served.sha256();
        byte[] sums =
            (sha
                    + "  "
                    + asset
                    + "\n"
                    + "1111111111111111111111111111111111111111111111111111111111111111  cpython-3.15.0a1+"
                    + RELEASE
                    + "-x86_64-unknown-linux-gnu-install_only.tar.gz\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, sums.length);
        exchange.getResponseBody().write(sums);
        return;
      }
      if (!name.equals(asset) || fault == Fault.NO_ARCHIVE) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      archiveRequests.incrementAndGet();
      byte[] archive = Files.readAllBytes(served.archive());
      exchange.sendResponseHeaders(200, archive.length);
      OutputStream body = exchange.getResponseBody();
      if (fault == Fault.CUT_OFF) {
        body.write(archive, 0, archive.length / 2);
        body.flush();
        // The server drops the connection of a handler that fails, as a dropped network would.
        throw new IOException("cut off half-way, on purpose");
      }
      if (fault == Fault.STALL) {
        body.write(archive, 0, archive.length / 2);
        body.flush();
        try {
          Thread.sleep(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("stalled, on purpose");
      }
      body.write(archive);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** Made once per test run: copying the standard library and gzipping it takes a few seconds. */
  private static synchronized Build build() throws IOException, InterruptedException {
    if (build != null) {
      return build;
    }
    Path real = DEBIAN.toRealPath();
    String name = real.getFileName().toString(); // python3.11
    Path work = Files.createTempDirectory("pylon-test-python-build");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    FileTrees.deleteRecursively(work);
                  } catch (IOException ignored) {
                    // the temporary folder is left for the system to clean
                  }
                }));
    Path python = Files.createDirectories(work.resolve("python/bin"));
    Files.copy(real, python.resolve(name));
    Files.createSymbolicLink(python.resolve("python3"), Path.of(name));
    Path lib = Files.createDirectories(work.resolve("python/lib"));
    exec(
        List.of(
            "sh",
            "-c",
            "tar -C /usr/lib --exclude="
                + name
                + "/test --exclude='"
                + name
                + "/config-*'"
                + " --exclude=__pycache__ --exclude="
                + name
                + "/idlelib --exclude="
                + name
                + "/sitecustomize.py -cf - "
                + name
                + " | tar -C '"
                + lib
                + "' -xf -"));
    String version =
        exec(List.of(
                python.resolve("python3").toString(),
                "-c",
                "import platform; print(platform.python_version())"))
            .strip();
    Path archive = work.resolve("build.tar.gz");
    exec(List.of("tar", "-czf", archive.toString(), "-C", work.toString(), "python"));
    String sha;
    try {
      sha =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    build = new Build(archive, version, sha);
    return build;
  }

  private static String exec(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(command + " failed: " + out);
    }
    return out;
  }
}
