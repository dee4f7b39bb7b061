package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How an instance of a revision starts, kept with the revision so a restarted daemon serves it
 * again without reading the app folder or building anything.
 *
 * @param command the program and its arguments ({@code $PORT} expanded per instance)
 * @param env the environment contract and the app's own variables
 * @param workDir the revision's read-only snapshot
 * @param http2 the instances speak HTTP/2 without TLS (service.yaml's port named h2c), so the
 *     router sends them requests as HTTP/2 streams
 */
public record LaunchSpec(
    List<String> command, Map<String, String> env, Path workDir, boolean http2) {
  public LaunchSpec {
    command = List.copyOf(command);
    env = Map.copyOf(env);
  }

  /** Instances spoken to over HTTP/1.1. */
  public LaunchSpec(List<String> command, Map<String, String> env, Path workDir) {
    this(command, env, workDir, false);
  }
}
