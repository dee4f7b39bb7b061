package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

/**
 * {@code POST /v1/deploy}: what {@code pylon deploy} asks for. Only {@code path} is required.
 *
 * @param path the app folder, as the daemon sees it
 * @param service the service name; absent: app.yaml's service, else the folder's name
 * @param noTraffic make the revision but leave traffic where it is
 * @param tag give the revision its own URL
 * @param systemSitePackages let the virtualenv see the interpreter's packages
 * @param rolloutMillis move traffic in steps over this long; absent or 0: all at once
 * @param python a version such as 3.11 or an interpreter's path
 * @param entrypoint the command that starts one instance
 * @param app the application object, MODULE:ATTR
 * @param container run each instance as a container of the revision's image
 * @param image with {@code container}: run this image instead of building one
 */
@JsonInclude(Include.NON_NULL)
public record DeployBody(
    String path,
    String service,
    Boolean noTraffic,
    String tag,
    Boolean systemSitePackages,
    Long rolloutMillis,
    String python,
    String entrypoint,
    String app,
    Boolean container,
    String image) {
  /** A deploy whose instances are processes. */
  public DeployBody(
      String path,
      String service,
      Boolean noTraffic,
      String tag,
      Boolean systemSitePackages,
      Long rolloutMillis,
      String python,
      String entrypoint,
      String app) {
    this(
        path,
        service,
        noTraffic,
        tag,
        systemSitePackages,
        rolloutMillis,
        python,
        entrypoint,
        app,
        null,
        null);
  }
}
