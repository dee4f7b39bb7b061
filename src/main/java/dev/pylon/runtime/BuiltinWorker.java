package dev.pylon.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Pylon's own servers, standard library only, shipped inside the jar and written out next to the
 * state they serve so a Python interpreter can run them: the WSGI worker ({@code pylon_worker.py},
 * a selector and a thread pool) and the ASGI worker ({@code pylon_asgi_worker.py}, one asyncio
 * loop, lifespan and WebSockets).
 */
public final class BuiltinWorker {
  private static final String RESOURCE = "pylon_worker.py";
  private static final String ASGI_RESOURCE = "pylon_asgi_worker.py";
  private static final String ZYGOTE_RESOURCE = "pylon_zygote.py";

  /** Exit status of the ASGI worker when the app's lifespan startup failed (nothing is bound). */
  public static final int EXIT_STARTUP_FAILED = 5;

  /** Exit status of the worker when the app cannot be imported (before anything is bound). */
  public static final int EXIT_APP_IMPORT_FAILED = 3;

  /** Exit status of the worker when its port cannot be bound. */
  public static final int EXIT_BIND_FAILED = 4;

  private BuiltinWorker() {}

  /**
   * Writes the worker script into {@code dir} under a content-addressed name ({@code
   * pylon_worker-<hash>.py}), so an instance that is running an older copy is never changed under
   * its feet, and returns its path. Writing is atomic; an existing identical file is reused.
   */
  public static Path materialize(Path dir) throws IOException {
    return materialize(dir, script(), "pylon_worker");
  }

  /** {@link #materialize} for the ASGI worker ({@code pylon_asgi_worker-<hash>.py}). */
  public static Path materializeAsgi(Path dir) throws IOException {
    return materialize(dir, resource(ASGI_RESOURCE), "pylon_asgi_worker");
  }

  static Path materialize(Path dir, byte[] script, String stem) throws IOException {
    String name = stem + "-" + HexFormat.of().formatHex(sha256(script), 0, 6) + ".py";
    Path target = dir.resolve(name);
    if (Files.isRegularFile(target)
        && java.util.Arrays.equals(Files.readAllBytes(target), script)) {
      return target;
    }
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + stem, ".tmp");
    try {
      Files.write(temp, script);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return target;
  }

  /**
   * {@link #materialize} for the zygote ({@code pylon_zygote-<hash>.py}), the fork server {@link
   * ZygoteLauncher} starts.
   */
  public static Path materializeZygote(Path dir) throws IOException {
    return materialize(dir, resource(ZYGOTE_RESOURCE), "pylon_zygote");
  }

  /**
   * The command line that runs {@code app} (MODULE:ATTR) from {@code appDir} with the worker at
   * {@code script}; {@code $PORT} is left for the supervisor to fill in.
   */
  public static List<String> command(
      String python, Path script, String app, Path appDir, int threads) {
    List<String> command = new ArrayList<>(asgiCommand(python, script, app, appDir));
    command.addAll(command.size() - 2, List.of("--threads", Integer.toString(threads)));
    return List.copyOf(command);
  }

  /**
   * The command line that runs the ASGI app {@code app} (MODULE:ATTR, or MODULE:FACTORY() for an
   * app factory) from {@code appDir} with the ASGI worker at {@code script}; {@code $PORT} is left
   * for the supervisor to fill in. The WSGI worker's is the same plus its thread count.
   */
  public static List<String> asgiCommand(String python, Path script, String app, Path appDir) {
    return List.of(
        python,
        script.toString(),
        "--app",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        "$PORT",
        "--chdir",
        appDir.toString());
  }

  /** The WSGI worker script's bytes, as shipped in the jar. */
  public static byte[] script() {
    return resource(RESOURCE);
  }

  static byte[] resource(String name) {
    try (InputStream in = BuiltinWorker.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the Pylon jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
