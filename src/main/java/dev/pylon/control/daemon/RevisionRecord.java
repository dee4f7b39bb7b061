package dev.pylon.control.daemon;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable revision: a built folder and how to start it.
 *
 * @param id {@code <service>-<number, 5 digits>-<3 random letters>}
 * @param service the service it belongs to
 * @param number 1 for the service's first revision, then counting up
 * @param python the interpreter
 * @param venv the virtualenv, when the app has dependencies
 * @param summary what the build detected (server, why, python), as JSON text
 * @param launch how an instance starts
 * @param env the service's variables ({@code pylon env}) when the revision was made
 * @param created when it was made
 * @param everReady whether an instance of it was ever ready (only such a revision gets traffic)
 */
public record RevisionRecord(
    String id,
    String service,
    int number,
    String python,
    Optional<String> venv,
    String summary,
    LaunchSpec launch,
    Map<String, String> env,
    Instant created,
    boolean everReady) {
  public RevisionRecord {
    env = Map.copyOf(env);
  }
}
