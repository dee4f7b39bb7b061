package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code pylon deploy} asks for.
 *
 * @param dir the app folder, as seen by the daemon
 * @param service the service name; empty: app.yaml's service, else the folder's name
 * @param noTraffic make the revision but leave traffic where it is
 * @param tag give the revision its own URL
 * @param systemSitePackages let the virtualenv see the interpreter's packages (offline machines)
 * @param python {@code --python}: a version such as 3.11 or an interpreter's path
 * @param entrypoint {@code --entrypoint}: the command that starts one instance
 * @param app {@code --app}: the application object, MODULE:ATTR
 * @param rollout {@code --rollout}: move traffic in steps over this long (zero: all at once)
 * @param container {@code --container}: each instance is a container of the revision's image
 * @param image {@code --image}: with {@code container}, run this image instead of building one
 */
public record DeployRequest(
    Path dir,
    Optional<String> service,
    boolean noTraffic,
    Optional<String> tag,
    boolean systemSitePackages,
    Optional<String> python,
    Optional<String> entrypoint,
    Optional<String> app,
    Duration rollout,
    boolean container,
    Optional<String> image) {}
