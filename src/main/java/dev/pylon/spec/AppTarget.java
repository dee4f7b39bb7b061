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
 */
public record AppTarget(
    String module,
    String attribute,
    Kind kind,
    Optional<String> djangoSettings,
    Path importRoot,
    String decidedBy) {

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

  /** {@code MODULE:ATTR}, as gunicorn and uvicorn take it. */
  public String reference() {
    return module + ":" + attribute;
  }

  AppTarget withKind(Kind newKind, String newDecidedBy) {
    return new AppTarget(module, attribute, newKind, djangoSettings, importRoot, newDecidedBy);
  }
}
