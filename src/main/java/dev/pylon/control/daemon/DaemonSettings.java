package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@code pylon server} runs.
 *
 * @param stateDir where the database, token, revisions and virtualenvs live
 * @param host the router's address
 * @param port the router's port (0: a free one)
 * @param adminPort the admin API's port on 127.0.0.1 (0: a free one)
 * @param defaultService the service bare requests (any other Host) go to
 * @param grace how long stopping waits for requests and processes
 * @param startTimeout how long a new revision's instance may take to get ready
 */
public record DaemonSettings(
    Path stateDir,
    String host,
    int port,
    int adminPort,
    Optional<String> defaultService,
    Duration grace,
    Duration startTimeout) {
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_ADMIN_PORT = 8081;
}
