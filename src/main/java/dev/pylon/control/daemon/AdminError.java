package dev.pylon.control.daemon;

import java.util.List;
import java.util.Objects;

/**
 * A request the daemon does not carry out, in the daemon's terms: what kind of refusal it is, what
 * happened, and what to do about it. The operations throw it; {@code AdminApi} alone turns a {@link
 * Kind} into an HTTP status ({@code AdminApi.status}).
 */
public final class AdminError extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the daemon says no. */
  public enum Kind {
    /** The request itself is wrong: a malformed body, a bad value, shares that do not add up. */
    INVALID,
    /** It names something that is not there: a service, a revision, a tag, an API path. */
    NOT_FOUND,
    /** The state does not allow it now: no earlier revision, a revision that never got ready. */
    CONFLICT,
    /** The app cannot be served as it is: its spec is invalid, its build or its start failed. */
    APP_FAILED,
    /** The caller did not show the admin token. */
    UNAUTHENTICATED,
    /** The path exists but not with this method. */
    METHOD_NOT_ALLOWED,
    /** The daemon is stopping. */
    STOPPING,
    /** The daemon failed: a bug or a broken state directory. */
    INTERNAL
  }

  private final Kind kind;
  private final String hint;
  private final List<String> details;

  public AdminError(Kind kind, String error, String hint, List<String> details) {
    super(error, null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.hint = hint;
    this.details = List.copyOf(details);
  }

  public AdminError(Kind kind, String error, String hint) {
    this(kind, error, hint, List.of());
  }

  public Kind kind() {
    return kind;
  }

  public String hint() {
    return hint;
  }

  /** Lines that explain the error (a tool's last output lines), possibly none. */
  public List<String> details() {
    return details;
  }

  static AdminError invalid(String error, String hint) {
    return new AdminError(Kind.INVALID, error, hint);
  }

  static AdminError notFound(String error, String hint) {
    return new AdminError(Kind.NOT_FOUND, error, hint);
  }

  static AdminError conflict(String error, String hint) {
    return new AdminError(Kind.CONFLICT, error, hint);
  }

  static AdminError conflict(String error, String hint, List<String> details) {
    return new AdminError(Kind.CONFLICT, error, hint, details);
  }

  static AdminError appFailed(String error, String hint, List<String> details) {
    return new AdminError(Kind.APP_FAILED, error, hint, details);
  }

  static AdminError noService(String name) {
    return notFound("there is no service named " + name, "see the services with `pylon services`");
  }
}
