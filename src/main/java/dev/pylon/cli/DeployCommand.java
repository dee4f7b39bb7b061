package dev.pylon.cli;

import dev.pylon.control.admin.DeployBody;
import dev.pylon.control.admin.DeployView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon deploy DIR}: a new revision on the daemon; traffic moves once it is ready. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Builds DIR into a new revision on the running daemon (`pylon server`).",
      "Once the revision is ready, the service's traffic moves to it; a revision that never",
      "gets ready gets no traffic, and what was serving keeps serving."
    })
final class DeployCommand extends AdminCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "App folder (default: .)")
  Path appDir;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "The service (default: app.yaml's service, else the folder's name)")
  String service;

  @Option(
      names = "--no-traffic",
      description = "Make the revision but leave the traffic where it is")
  boolean noTraffic;

  @Option(
      names = "--tag",
      paramLabel = "TAG",
      description = "Give the revision its own URL: http://TAG---SERVICE.localhost:PORT/")
  String tag;

  @Option(
      names = "--system-site-packages",
      description = "Let the virtualenv see the interpreter's own packages (offline machines)")
  boolean systemSitePackages;

  @Option(
      names = "--rollout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Move traffic to the new revision in steps (10, 25, 50, 75, 100%%) over this long, such as 60s (default: all at once)")
  Duration rollout;

  @Option(
      names = "--python",
      paramLabel = "VERSION|PATH",
      description = "The interpreter: a version such as 3.11, or a path such as /usr/bin/python3")
  String python;

  @Option(
      names = "--entrypoint",
      paramLabel = "COMMAND",
      description = "The command that starts one instance; $PORT is expanded")
  String entrypoint;

  @Option(
      names = "--app",
      paramLabel = "MODULE:ATTR",
      description = "The WSGI/ASGI application object (default: main:app)")
  String app;

  @Option(
      names = "--container",
      description =
          "Run each instance as a container of the app's image (built as `pylon build --image`"
              + " does, unless --image names one); needs podman or docker on the daemon's host")
  boolean container;

  @Option(
      names = "--image",
      paramLabel = "NAME",
      description = "With --container: run this image instead of building one")
  String image;

  @Override
  int run(AdminClient client) throws AdminClientException {
    if (image != null && !container) {
      throw new UserError(
          "--image goes with --container: pylon deploy DIR --container --image NAME", 2);
    }
    DeployBody body =
        new DeployBody(
            appDir.toAbsolutePath().normalize().toString(),
            service,
            noTraffic,
            tag,
            systemSitePackages,
            rollout == null ? null : rollout.toMillis(),
            python,
            entrypoint,
            app,
            container ? Boolean.TRUE : null,
            image);
    DeployView result = client.deploy(body, this::printProgress);
    if (json) {
      printJson(result);
    } else {
      out.println(result.url());
    }
    return 0;
  }
}
