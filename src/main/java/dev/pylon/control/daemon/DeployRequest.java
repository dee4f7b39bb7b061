package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code pylon deploy} asks for.
 *
 * @param dir the app folder, as seen by the daemon
 * @param service the service name; empty: app.yaml's service, else the folder's name
 * @param noTraffic make the revision but leave traffic where it is
 * @param tag give the revision its own URL
 * @param systemSitePackages let the virtualenv see the interpreter's packages (offline machines)
 */
public record DeployRequest(
    Path dir,
    Optional<String> service,
    boolean noTraffic,
    Optional<String> tag,
    boolean systemSitePackages) {}
