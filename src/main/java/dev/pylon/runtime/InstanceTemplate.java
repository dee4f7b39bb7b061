package dev.pylon.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to start for each instance of a revision.
 *
 * @param service the service name (for messages)
 * @param revision the revision name; instances are named {@code <revision>-<n>}
 * @param command the program and its arguments; {@code $PORT} and {@code ${PORT}} are replaced by
 *     the instance's port (no shell is involved unless the command starts one)
 * @param env environment added to Pylon's own; the runtime adds {@code PORT}
 * @param workDir the directory the command runs in
 */
public record InstanceTemplate(
    String service, String revision, List<String> command, Map<String, String> env, Path workDir) {
  private static final Pattern PORT_TOKEN =
      Pattern.compile("\\$\\{PORT\\}|\\$PORT(?![A-Za-z0-9_])");

  public InstanceTemplate {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(revision, "revision");
    command = List.copyOf(command);
    env = Map.copyOf(env);
    Objects.requireNonNull(workDir, "workDir");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("an instance needs a command to run");
    }
  }

  /** The command with every {@code $PORT} / {@code ${PORT}} replaced by {@code port}. */
  public List<String> commandFor(int port) {
    String replacement = Matcher.quoteReplacement(Integer.toString(port));
    List<String> expanded = new ArrayList<>(command.size());
    for (String part : command) {
      expanded.add(PORT_TOKEN.matcher(part).replaceAll(replacement));
    }
    return List.copyOf(expanded);
  }
}
