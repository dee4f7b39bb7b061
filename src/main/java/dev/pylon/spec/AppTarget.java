package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The Python object that serves requests.
 *
 * @param module dotted module name, importable from {@link #importRoot()}
 * @param attribute the attribute of the module holding the app
 * @param kind the interface it speaks
 * @param djangoSettings the Django settings module, for Django projects
 * @param importRoot the folder (relative to the source folder, {@code ""} for itself) that must be
 *     on {@code sys.path}: {@code src} for a src-layout project
 * @param decidedBy how the app was found, naming the file
 * @param factory {@code attribute} is an app factory (Flask's {@code create_app}): calling it with
 *     no arguments returns the app, and {@link #kind()} is the kind of what it returns
 */
public record AppTarget(
    String module,
    String attribute,
    Kind kind,
    Optional<String> djangoSettings,
    Path importRoot,
    String decidedBy,
    boolean factory) {

  /** An app object that is the attribute itself, not a factory. */
  public AppTarget(
      String module,
      String attribute,
      Kind kind,
      Optional<String> djangoSettings,
      Path importRoot,
      String decidedBy) {
    this(module, attribute, kind, djangoSettings, importRoot, decidedBy, false);
  }

  /** The interface the app object speaks. */
  public enum Kind {
    WSGI,
    ASGI,
    DJANGO_WSGI,
    DJANGO_ASGI,
    /** Found, but neither the code nor a probe could tell. Served as WSGI. */
    UNKNOWN;

    public boolean isAsgi() {
      return this == ASGI || this == DJANGO_ASGI;
    }
  }

  /**
   * {@code MODULE:ATTR}, or {@code MODULE:ATTR()} for a factory: the form gunicorn, hypercorn and
   * Pylon's built-in worker take (each calls the factory once per process).
   */
  public String reference() {
    return importReference() + (factory ? "()" : "");
  }

  /** {@code MODULE:ATTR} without the call: uvicorn takes a factory this way, with --factory. */
  public String importReference() {
    return module + ":" + attribute;
  }

  AppTarget withKind(Kind newKind, String newDecidedBy) {
    return new AppTarget(
        module, attribute, newKind, djangoSettings, importRoot, newDecidedBy, factory);
  }

  AppTarget asFactory(Kind newKind, String newDecidedBy) {
    return new AppTarget(
        module, attribute, newKind, djangoSettings, importRoot, newDecidedBy, true);
  }
}
