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
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How instances of a revision start, for {@code pylon run} and {@code pylon server} alike: the
 * command and the environment contract (control's InstancePlan), made once per revision into a
 * {@link LaunchSpec} that is kept with it, so that a restarted daemon needs neither the app folder
 * nor a build.
 */
public final class RevisionLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RevisionLauncher() {}

  /**
   * The one place a revision's launch plan is made (and so the one place in control that builds the
   * instance environment).
   *
   * @param revisionId the store's id for the revision ({@code K_REVISION})
   * @param metadataHostPort the metadata server instances are told about; the daemon stores none,
   *     as it would be stale after a restart
   * @param memoryMiB the memory limit per instance (also {@code GAE_MEMORY_MB})
   * @param cpuLimit the cores each instance may use
   */
  public static LaunchSpec launchSpec(
      ServiceSpec spec,
      Revision revision,
      String revisionId,
      Path stateDir,
      Optional<String> metadataHostPort,
      OptionalLong memoryMiB,
      OptionalDouble cpuLimit) {
    return new LaunchSpec(
        InstancePlan.command(spec, revision, stateDir),
        InstanceEnvironment.of(spec, revisionId, revision.venv(), metadataHostPort, memoryMiB)
            .forRevision(System.getenv()),
        revision.dir(),
        spec.http2(),
        memoryMiB,
        cpuLimit,
        Optional.empty(),
        InstanceChecks.of(spec));
  }

  /** What the build detected, for {@code pylon revisions --json}. */
  public static String summary(ServiceSpec spec, Revision revision) {
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
