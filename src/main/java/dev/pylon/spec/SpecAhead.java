package dev.pylon.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A spec loaded while the app probe may still be importing the app: when the app changed since its
 * import was last probed (the usual case of a rebuild after an edit), the loading goes on with the
 * answer the probe gave last time, and the probe runs again in the background. A build then copies
 * and compiles the app while the import runs (for a Flask app that import is most of a code-only
 * rebuild), and checks afterwards with {@link #confirmed()}: nearly always the answer is the same
 * and the work stands; when it is not, the caller builds again from the confirmed spec. A spec with
 * errors is never speculative: the probe is awaited first, so errors are always those of the fresh
 * import.
 *
 * <p>Close it when done: a probe not awaited is stopped.
 */
public final class SpecAhead implements AutoCloseable {
  private final SpecResult result;
  private final Optional<AppProbe.Running> running;
  private final SpecLoader loader;
  private final Path appDir;
  private final SpecOverrides overrides;
  private SpecResult fresh;

  private SpecAhead(
      SpecResult result,
      Optional<AppProbe.Running> running,
      SpecLoader loader,
      Path appDir,
      SpecOverrides overrides) {
    this.result = result;
    this.running = running;
    this.loader = loader;
    this.appDir = appDir;
    this.overrides = overrides;
  }

  /** A result that needs no checking. */
  static SpecAhead settled(SpecResult result) {
    return new SpecAhead(result, Optional.empty(), null, null, null);
  }

  static SpecAhead load(SpecLoader loader, AppProbe probe, Path appDir, SpecOverrides overrides) {
    List<AppProbe.Running> started = new ArrayList<>(1);
    SpecResult assumed =
        loader.load(
            appDir,
            overrides,
            (python, dir, app, env) -> {
              AppProbe.Ahead ahead = probe.probeAhead(python, dir, app, env);
              ahead.running().ifPresent(started::add);
              return ahead.answer();
            });
    if (started.isEmpty()) {
      return settled(assumed);
    }
    SpecAhead ahead =
        new SpecAhead(assumed, Optional.of(started.get(0)), loader, appDir, overrides);
    return assumed instanceof SpecResult.Invalid ? settled(ahead.confirmed()) : ahead;
  }

  /** The spec to go on with now. */
  public SpecResult result() {
    return result;
  }

  /** Whether {@link #result()} is final (the probe's answer was current, or there was no probe). */
  public boolean isSettled() {
    return running.isEmpty();
  }

  /**
   * The spec with the probe's fresh answer: {@link #result()} itself (the same object) when the
   * answer did not change, else the folder loaded again with the new answer. Waits for the probe.
   */
  public synchronized SpecResult confirmed() {
    if (running.isEmpty()) {
      return result;
    }
    if (fresh == null) {
      AppProbe.Running probe = running.orElseThrow();
      AppProbe.Answer answer = probe.await();
      fresh =
          answer.equals(probe.previous())
              ? result
              : loader.load(appDir, overrides, (python, dir, app, env) -> answer);
    }
    return fresh;
  }

  @Override
  public void close() {
    running.ifPresent(AppProbe.Running::cancel);
  }
}
