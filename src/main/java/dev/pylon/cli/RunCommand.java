package dev.pylon.cli;

import dev.pylon.control.ContainerMode;
import dev.pylon.control.ForegroundRun;
import dev.pylon.control.RunFailure;
import dev.pylon.control.RunSettings;
import dev.pylon.runtime.Sandbox;
import dev.pylon.spec.ContainerEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
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
      converter = DurationConverter.class,
      description =
          "How long an instance may take to get ready (default: app_start_timeout_sec, else 240s)")
  Duration startTimeout;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      converter = MemorySizeConverter.class,
      description =
          "Memory limit per instance, e.g. 512Mi or 1Gi (default: app.yaml's or service.yaml's)")
  Long memoryMiB;

  @Option(
      names = "--cpu",
      paramLabel = "CORES",
      description = "CPU limit per instance in cores, e.g. 0.5 (default: none)")
  Double cpu;

  @Option(
      names = "--sandbox",
      description =
          "Run each instance under bubblewrap: read-only app, private /tmp, own PID namespace")
  boolean sandbox;

  @Option(
      names = "--container",
      description =
          "Run each instance as a container of the app's image (built as `pylon build --image`"
              + " builds it, unless --image names one) with podman or docker, as Cloud Run does")
  boolean container;

  @Option(
      names = "--image",
      paramLabel = "NAME",
      description = "With --container: run this image instead of building one")
  String image;

  @Mixin RouterOptions routerOptions;

  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() {
    if (port < 0 || port > 65535) {
      throw new UserError("--port " + port + " is not a TCP port; pick one from 1 to 65535.", 2);
    }
    if (sandbox && Sandbox.bubblewrap().isEmpty()) {
      throw new UserError(
          "--sandbox needs bubblewrap, which is not installed: apt-get install bubblewrap"
              + " (or run without --sandbox).",
          2);
    }
    if (cpu != null && !(cpu > 0)) {
      throw new UserError("--cpu " + cpu + " must be more than 0 (for example 0.5 or 2).", 2);
    }
    if (image != null && !container) {
      throw new UserError(
          "--image goes with --container: pylon run DIR --container --image NAME", 2);
    }
    Optional<ContainerMode> containerMode = Optional.empty();
    if (container) {
      if (sandbox) {
        throw new UserError(
            "--sandbox and --container do not go together: a container is its own sandbox.", 2);
      }
      ContainerEngine engine =
          ContainerMode.findEngine(System.getenv("PATH"))
              .orElseThrow(() -> new UserError(ContainerMode.NO_ENGINE, 1));
      containerMode = Optional.of(new ContainerMode(engine, Optional.ofNullable(image)));
    }
    if (instances != null && instances < 1) {
      throw new UserError("--instances " + instances + " must be at least 1.", 2);
    }
    RunSettings settings =
        new RunSettings(
            SpecLoading.load(appDir, appOptions, stateOptions.stateDir(), System.err::println),
            host,
            port,
            Optional.ofNullable(instances),
            appOptions.systemSitePackages,
            appOptions.preStart(),
            grace,
            Optional.ofNullable(startTimeout),
            memoryMiB == null ? OptionalLong.empty() : OptionalLong.of(memoryMiB),
            cpu == null ? OptionalDouble.empty() : OptionalDouble.of(cpu),
            sandbox,
            routerOptions.settings(stateOptions.stateDir()),
            stateOptions.stateDir(),
            containerMode);
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
