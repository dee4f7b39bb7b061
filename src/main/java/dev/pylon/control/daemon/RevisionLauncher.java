package dev.pylon.control.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.InstancePlan;
import dev.pylon.revision.Revision;
import dev.pylon.runtime.InstanceTemplate;
import dev.pylon.spec.InstanceEnvironment;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How instances of a daemon revision start: the same command and environment contract as {@code
 * pylon run} (control's InstancePlan), kept as a {@link LaunchSpec} so that a restarted daemon
 * needs neither the app folder nor a build.
 */
final class RevisionLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RevisionLauncher() {}

  /**
   * @param revisionId the store's id for the revision ({@code K_REVISION})
   */
  static LaunchSpec launchSpec(
      ServiceSpec spec, Revision revision, String revisionId, Path stateDir) {
    // No metadata server address is stored: it would be stale after the daemon restarts.
    return new LaunchSpec(
        InstancePlan.command(spec, revision, stateDir),
        InstancePlan.environment(
            spec, revision, revisionId, Optional.empty(), spec.resources().memoryMb()),
        revision.dir(),
        spec.http2());
  }

  /** What the build detected, for {@code pylon revisions --json}. */
  static String summary(ServiceSpec spec, Revision revision) {
    ObjectNode node = JSON.createObjectNode();
    node.put("server", spec.server().displayCommand());
    node.put("why", spec.server().reason());
    node.put("python", revision.python().toString());
    node.put("pythonVersion", String.valueOf(spec.python().version()));
    node.put("source", spec.sourceDir().toString());
    node.put("snapshot", revision.dir().toString());
    node.put("build", revision.id());
    return node.toString();
  }

  /** The template an instance set starts: the launch spec with the service's variables on top. */
  static InstanceTemplate template(RevisionRecord revision) {
    Map<String, String> env =
        InstanceEnvironment.withVariables(revision.launch().env(), revision.env(), revision.id());
    return new InstanceTemplate(
        revision.service(),
        revision.id(),
        revision.launch().command(),
        env,
        revision.launch().workDir());
  }
}
