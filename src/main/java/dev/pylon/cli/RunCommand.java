package dev.pylon.cli;

import dev.pylon.control.ForegroundRun;
import dev.pylon.control.RunFailure;
import dev.pylon.control.RunSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon run [DIR]}: build and serve one app in the foreground until Ctrl-C. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Builds the app in DIR and serves it in the foreground.",
      "Ctrl-C drains in-flight requests and stops every process Pylon started."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "App folder (default: .)")
  Path appDir;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port the router listens on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address the router listens on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--instances",
      description = "Instances (server processes) to run (default: the number of cores)")
  Integer instances;

  @Mixin AppOptions appOptions;

  @Option(
      names = "--grace",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "How long stopping waits for requests and processes before SIGKILL (default: ${DEFAULT-VALUE})")
  Duration grace;

  @Option(
      names = "--start-timeout",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description =
          "How long an instance may take to accept connections (default: ${DEFAULT-VALUE})")
  Duration startTimeout;

  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() {
    if (port < 0 || port > 65535) {
      throw new UserError("--port " + port + " is not a TCP port; pick one from 1 to 65535.", 2);
    }
    if (instances != null && instances < 1) {
      throw new UserError("--instances " + instances + " must be at least 1.", 2);
    }
    RunSettings settings =
        new RunSettings(
            SpecLoading.load(appDir, appOptions, System.err::println),
            host,
            port,
            Optional.ofNullable(instances),
            appOptions.systemSitePackages,
            appOptions.preStart(),
            grace,
            startTimeout,
            stateOptions.stateDir());
    ForegroundRun run = new ForegroundRun(settings, new ConsoleReporter(System.out, System.err));
    // Ctrl-C and SIGTERM end the JVM through its shutdown hooks: this one drains and stops
    // everything the run started before the JVM is allowed to go.
    Thread onSignal = new Thread(run::stop, "pylon-stop");
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      return run.serveUntilStopped();
    } catch (RunFailure failure) {
      throw new UserError(failure.getMessage(), failure.exitCode());
    } finally {
      run.stop();
      removeHook(onSignal);
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is already running: the JVM is stopping because of a signal.
    }
  }
}
