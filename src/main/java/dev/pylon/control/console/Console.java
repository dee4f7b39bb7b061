package dev.pylon.control.console;

import com.sun.net.httpserver.HttpHandler;
import dev.pylon.router.AccessLog;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console of {@code pylon server}, served under {@code /console/} on the admin port: pages
 * of the services, their revisions, traffic, instances, autoscaling, events, logs and charts, and
 * the levers the CLI has. Made before the router (it counts the router's requests per instance
 * through the access log), started once the daemon's parts exist.
 */
public final class Console implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Console.class);

  /** How often the charts' counters are read. */
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);

  /** Samples kept: ten minutes at {@link #SAMPLE_EVERY}. */
  static final int SAMPLES_KEPT = 300;

  private final Clock clock;
  private final ConsoleAuth auth;
  private final SampleRing ring = new SampleRing(SAMPLES_KEPT);
  private UpstreamTally tally;
  private ScheduledExecutorService sampling;
  private ConsoleHandler handler;
  private InetSocketAddress address;

  public Console(Clock clock) {
    this.clock = clock;
    this.auth = new ConsoleAuth(clock, new SecureRandom());
  }

  /**
   * The router's access log: counts each request for the charts, then logs it with {@code next}.
   */
  public AccessLog accessLog(AccessLog next) {
    tally = new UpstreamTally(next);
    return tally;
  }

  /** Starts sampling; the handler answers from now on. {@code address}: where the admin port is. */
  public synchronized HttpHandler start(ConsoleBackend backend, InetSocketAddress address) {
    if (tally == null) {
      tally = new UpstreamTally(AccessLog.none());
    }
    this.address = address;
    ConsoleSampler sampler = new ConsoleSampler(backend, tally, ring, clock);
    sampling =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pylon-console-samples");
              t.setDaemon(true);
              return t;
            });
    sampling.scheduleWithFixedDelay(
        () -> {
          try {
            sampler.sample();
          } catch (RuntimeException e) {
            log.warn("console: cannot read the counters: {}", e.toString());
          }
        },
        0,
        SAMPLE_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
    handler = new ConsoleHandler(backend, auth, ring, sampler, clock, this::loginUrl);
    return handler;
  }

  /** A new one-time login URL: visiting it logs a browser in. */
  public String loginUrl() {
    return "http://"
        + address.getAddress().getHostAddress()
        + ":"
        + address.getPort()
        + ConsoleHandler.LOGIN_PATH
        + "?token="
        + auth.newLoginToken();
  }

  @Override
  public synchronized void close() {
    if (handler != null) {
      handler.close();
    }
    if (sampling != null) {
      sampling.shutdownNow();
    }
  }
}
