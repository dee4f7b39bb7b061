package dev.pylon.revision;

import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.PythonProvisionException;
import dev.pylon.spec.PythonProvisioner;
import dev.pylon.spec.PythonVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Installs python-build-standalone builds into {@code STATE/pythons/}, the way uv does: read the
 * release's {@code SHA256SUMS}, download the install-only archive for this machine, check its
 * SHA-256, unpack it beside its final place, run it, and rename it into place whole. A build that
 * is there already is used again without asking the network.
 *
 * <p>Two Pylons installing at once take turns on {@code STATE/pythons/.lock}; whatever a crash left
 * in a {@code .tmp-*} folder is deleted by the next install. The finder never looks in dot-folders,
 * so nothing half-installed can be chosen.
 */
public final class StandalonePythons implements PythonProvisioner {
  /** {@code never} turns automatic downloads off; {@code pylon python install} still works. */
  public static final String DOWNLOADS_VARIABLE = "PYLON_PYTHON_DOWNLOADS";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
  private static final String SOURCE_FILE = ".pylon-source";

  /**
   * How long a download may go without a byte before it is given up: a dead link, not a slow one.
   */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  private final Path root;
  private final StandaloneMirror mirror;
  private final Consumer<String> progress;
  private final HttpProxies proxies;
  private final Duration stallTimeout;
  private volatile List<StandaloneBuild> builds;

  /**
   * @param stateDir the state directory; builds go to its {@code pythons/}
   * @param progress one line per step, for a person ("downloading ...")
   */
  public StandalonePythons(Path stateDir, StandaloneMirror mirror, Consumer<String> progress) {
    this(stateDir, mirror, progress, HttpProxies.NONE, DEFAULT_STALL_TIMEOUT);
  }

  /**
   * @param proxies the proxies downloads go through ({@link HttpProxies#fromEnvironment})
   * @param stallTimeout a download that receives nothing for this long is given up
   */
  public StandalonePythons(
      Path stateDir,
      StandaloneMirror mirror,
      Consumer<String> progress,
      HttpProxies proxies,
      Duration stallTimeout) {
    this.root = stateDir.resolve(PythonFinder.PROVISIONED);
    this.mirror = mirror;
    this.progress = progress;
    this.proxies = proxies;
    this.stallTimeout = stallTimeout;
  }

  /**
   * The provisioner for requests found in app folders: this one, unless {@code
   * PYLON_PYTHON_DOWNLOADS=never} turns automatic downloads off.
   */
  public static PythonProvisioner automatic(
      Path stateDir, Map<String, String> env, Consumer<String> progress) {
    PythonProvisioner pythons = fromEnvironment(stateDir, env, progress);
    if (!env.getOrDefault(DOWNLOADS_VARIABLE, "").strip().equalsIgnoreCase("never")) {
      return pythons;
    }
    return new DownloadsOff(pythons.source());
  }

  /**
   * Downloads from {@code PYLON_PYTHON_MIRROR}'s release through the environment's proxies. A proxy
   * variable that cannot be read fails a download when one is needed, and nothing else.
   */
  public static PythonProvisioner fromEnvironment(
      Path stateDir, Map<String, String> env, Consumer<String> progress) {
    StandaloneMirror mirror = StandaloneMirror.fromEnvironment(env);
    HttpProxies proxies;
    try {
      proxies = HttpProxies.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      return new Misconfigured(mirror.describe(), e.getMessage());
    }
    return new StandalonePythons(stateDir, mirror, progress, proxies, DEFAULT_STALL_TIMEOUT);
  }

  /** What provisioning says when the proxy variables cannot be read. */
  private record Misconfigured(String source, String problem) implements PythonProvisioner {
    @Override
    public List<PythonVersion> installable() throws PythonProvisionException {
      throw new PythonProvisionException(
          "cannot download Python: " + problem,
          "fix or unset the variable, or install Python another way and pass --python PATH");
    }

    @Override
    public Path install(PythonVersion version) throws PythonProvisionException {
      installable();
      throw new IllegalStateException("unreachable");
    }
  }

  /** What automatic provisioning says when {@code PYLON_PYTHON_DOWNLOADS=never}. */
  private record DownloadsOff(String source) implements PythonProvisioner {
    @Override
    public List<PythonVersion> installable() throws PythonProvisionException {
      throw new PythonProvisionException(
          "automatic Python downloads are off (" + DOWNLOADS_VARIABLE + "=never)",
          "install it with `pylon python install VERSION`, or unset " + DOWNLOADS_VARIABLE);
    }

    @Override
    public Path install(PythonVersion version) throws PythonProvisionException {
      installable();
      throw new IllegalStateException("unreachable");
    }
  }

  @Override
  public String source() {
    return mirror.describe();
  }

  @Override
  public List<PythonVersion> installable() throws PythonProvisionException {
    return builds().stream().map(StandaloneBuild::version).toList();
  }

  @Override
  public Path install(PythonVersion version) throws PythonProvisionException {
    String triple = triple();
    Path target = root.resolve("cpython-" + version + "-" + triple);
    Path python = target.resolve("bin/python3");
    if (Files.isExecutable(python)) {
      return python;
    }
    StandaloneBuild build =
        builds().stream()
            .filter(b -> b.version().equals(version))
            .findFirst()
            .orElseThrow(
                () ->
                    new PythonProvisionException(
                        source() + " has no build of Python " + version + " for " + triple,
                        "it has " + listed()));
    try {
      Files.createDirectories(root);
      KeyLock lock =
          KeyLock.acquire(
              root.resolve(".lock"),
              () -> progress.accept("waiting for another Pylon that is installing a Python"));
      try {
        if (Files.isExecutable(python)) {
          return python; // the other one installed it
        }
        deleteLeftovers();
        Path work = Files.createTempDirectory(root, ".tmp-");
        try {
          installInto(build, work, target);
        } finally {
          FileTrees.deleteRecursively(work);
        }
      } finally {
        lock.close();
      }
    } catch (IOException e) {
      throw new PythonProvisionException(
          "cannot install Python " + version + " into " + root + ": " + e.getMessage(),
          "check that the state directory is writable and has room (a build takes about 100 MB)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PythonProvisionException(
          "the install of Python " + version + " was interrupted; nothing was kept", "");
    }
    return python;
  }

  private void installInto(StandaloneBuild build, Path work, Path target)
      throws PythonProvisionException, IOException, InterruptedException {
    URI from = mirror.asset(build.asset());
    Path archive = work.resolve(build.asset());
    long started = System.nanoTime();
    String sha256 = download(from, archive, build.version());
    if (!sha256.equals(build.sha256())) {
      throw new PythonProvisionException(
          "the download of "
              + from
              + " has SHA-256 "
              + sha256
              + ", but the release's SHA256SUMS says "
              + build.sha256()
              + "; nothing was installed",
          "try again; if it keeps happening the mirror serves a damaged or different file"
              + " (check PYLON_PYTHON_MIRROR)");
    }
    Path unpacked = Files.createDirectory(work.resolve("unpacked"));
    CommandResult tar =
        new CommandRunner(Map.of(), 5)
            .run(
                List.of(
                    "tar",
                    "-xzf",
                    archive.toString(),
                    "-C",
                    unpacked.toString(),
                    "--no-same-owner"),
                work,
                Map.of(),
                line -> {},
                Duration.ofMinutes(5));
    if (!tar.succeeded()) {
      throw new PythonProvisionException(
          "cannot unpack " + build.asset() + ": " + String.join(" ", tar.outputTail()),
          "check that `tar` and gzip work here and the state directory has room");
    }
    Path python = unpacked.resolve("python");
    Path executable = python.resolve("bin/python3");
    if (!Files.isExecutable(executable)) {
      throw new PythonProvisionException(
          build.asset() + " holds no python/bin/python3, so it is not an install-only build",
          "a mirror must serve python-build-standalone's *-install_only.tar.gz archives as they"
              + " are");
    }
    String version = versionOf(executable);
    if (!version.equals(build.version().toString())) {
      throw new PythonProvisionException(
          build.asset() + " holds Python " + version + ", not " + build.version(),
          "the mirror serves a file under the wrong name; check PYLON_PYTHON_MIRROR");
    }
    Files.writeString(
        python.resolve(SOURCE_FILE),
        "url=" + from + "\nsha256=" + sha256 + "\nrelease=" + mirror.release() + "\n",
        StandardCharsets.UTF_8);
    Files.move(python, target, StandardCopyOption.ATOMIC_MOVE);
    progress.accept(
        "installed Python "
            + build.version()
            + " in "
            + target
            + " ("
            + Duration.ofNanos(System.nanoTime() - started).toMillis()
            + " ms, SHA-256 checked)");
  }

  /** Asks the unpacked interpreter its version: it must run here, from where it was unpacked. */
  private String versionOf(Path executable)
      throws PythonProvisionException, IOException, InterruptedException {
    CommandResult result =
        new CommandRunner(Map.of(), 5)
            .run(
                List.of(
                    executable.toString(),
                    "-c",
                    "import platform; print(platform.python_version())"),
                executable.getParent(),
                Map.of(),
                line -> {},
                CHECK_TIMEOUT);
    List<String> out = result.outputTail();
    if (!result.succeeded() || out.isEmpty()) {
      throw new PythonProvisionException(
          executable + " does not run here: " + String.join(" ", out),
          "the build may not suit this machine (" + triple() + ")");
    }
    return out.get(out.size() - 1).strip();
  }

  private List<StandaloneBuild> builds() throws PythonProvisionException {
    List<StandaloneBuild> b = builds;
    if (b == null) {
      String triple = triple();
      String sums = new String(fetch(mirror.checksums()), StandardCharsets.UTF_8);
      b = StandaloneBuild.parse(sums, triple);
      builds = b;
    }
    return b;
  }

  private String listed() {
    List<StandaloneBuild> b = builds;
    return b == null || b.isEmpty()
        ? "no build for this machine"
        : String.join(
            ", ", b.stream().map(x -> x.version().toString()).sorted().distinct().toList());
  }

  private String triple() throws PythonProvisionException {
    return mirror
        .triple()
        .orElseThrow(
            () ->
                new PythonProvisionException(
                    "python-build-standalone has no builds for "
                        + System.getProperty("os.name")
                        + " on "
                        + System.getProperty("os.arch"),
                    "install Python with the system's package manager and pass --python PATH"));
  }

  private void deleteLeftovers() throws IOException {
    try (var children = Files.list(root)) {
      for (Path child : children.toList()) {
        if (child.getFileName().toString().startsWith(".tmp-")) {
          FileTrees.deleteRecursively(child);
        }
      }
    }
  }

  /** A small file, whole (the checksum list). */
  private byte[] fetch(URI uri) throws PythonProvisionException {
    try {
      if ("file".equals(uri.getScheme())) {
        return Files.readAllBytes(Path.of(uri));
      }
      HttpClient client = client();
      try {
        HttpResponse<byte[]> response =
            client.send(request(uri), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
          throw unavailable(uri, response.statusCode());
        }
        return response.body();
      } finally {
        client.shutdownNow();
      }
    } catch (IOException e) {
      throw unreachable(uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PythonProvisionException("interrupted while reading " + uri, "");
    }
  }

  /** Streams {@code uri} into {@code file}; returns its SHA-256. A short body is an error. */
  private String download(URI uri, Path file, PythonVersion version)
      throws PythonProvisionException, InterruptedException {
    MessageDigest sha = sha256();
    long received = 0;
    long expected = -1;
    HttpClient client = "file".equals(uri.getScheme()) ? null : client();
    try {
      InputStream body;
      if (client == null) {
        Path source = Path.of(URI.create(uri.toString().replace("%2B", "+")));
        if (!Files.isRegularFile(source)) {
          throw unavailable(uri, 404);
        }
        expected = Files.size(source);
        body = Files.newInputStream(source);
      } else {
        HttpResponse<InputStream> response =
            client.send(request(uri), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
          response.body().close();
          throw unavailable(uri, response.statusCode());
        }
        expected = response.headers().firstValueAsLong("content-length").orElse(-1);
        body = response.body();
      }
      progress.accept(
          "downloading Python "
              + version
              + " from "
              + uri
              + (expected >= 0 ? " (" + megabytes(expected) + ")" : ""));
      StallWatch watch = new StallWatch(stallTimeout, body);
      try (InputStream in = body;
          OutputStream out = Files.newOutputStream(file)) {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
          watch.progressed();
          sha.update(buffer, 0, n);
          out.write(buffer, 0, n);
          received += n;
        }
      } catch (IOException e) {
        throw watch.stalled()
            ? new IOException("nothing arrived for " + stallTimeout.toSeconds() + " s", e)
            : e;
      } finally {
        watch.close();
      }
    } catch (IOException e) {
      throw new PythonProvisionException(
          "the download of "
              + uri
              + proxies.describeFor(uri)
              + " stopped after "
              + megabytes(received)
              + (expected >= 0 ? " of " + megabytes(expected) : "")
              + " ("
              + describe(e)
              + "); nothing was installed",
          "try again; behind a proxy, set https_proxy (http://HOST:PORT); offline, point"
              + " PYLON_PYTHON_MIRROR at a mirror that can be reached",
          e);
    } finally {
      if (client != null) {
        client.shutdownNow();
      }
    }
    if (expected >= 0 && received != expected) {
      throw new PythonProvisionException(
          "the download of "
              + uri
              + " stopped after "
              + megabytes(received)
              + " of "
              + megabytes(expected)
              + "; nothing was installed",
          "try again; the connection was cut before the whole archive arrived");
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private HttpClient client() {
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(CONNECT_TIMEOUT)
            .proxy(proxies.selector());
    proxies.authenticator().ifPresent(client::authenticator);
    return client.build();
  }

  private static HttpRequest request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(HEADERS_TIMEOUT)
        .header("User-Agent", "pylon")
        .GET()
        .build();
  }

  private PythonProvisionException unavailable(URI uri, int status) {
    return new PythonProvisionException(
        uri + " answered HTTP " + status,
        status == 404
            ? "release "
                + mirror.release()
                + " or that file is not there; check PYLON_PYTHON_RELEASE and"
                + " PYLON_PYTHON_MIRROR (a mirror holds RELEASE/SHA256SUMS and RELEASE/ARCHIVE,"
                + " as python-build-standalone's GitHub releases do)"
            : "try again later, or point PYLON_PYTHON_MIRROR at another mirror");
  }

  private PythonProvisionException unreachable(URI uri, IOException e) {
    return new PythonProvisionException(
        "cannot read " + uri + proxies.describeFor(uri) + ": " + describe(e),
        "check the network; behind a proxy, set https_proxy (http://HOST:PORT); offline, point"
            + " PYLON_PYTHON_MIRROR at a mirror that can be reached, or install Python another"
            + " way and pass --python PATH",
        e);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (m != null && m.startsWith("too many authentication attempts")) {
      // Java's client gives up after the proxy kept answering 407 to the credentials it sent.
      return "the proxy answered 407 Proxy Authentication Required to the user and password in"
          + " its address";
    }
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The release and file a provisioned build came from, if Pylon installed it. */
  public static Optional<String> sourceOf(Path install) {
    try {
      return Optional.of(Files.readString(install.resolve(SOURCE_FILE)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
