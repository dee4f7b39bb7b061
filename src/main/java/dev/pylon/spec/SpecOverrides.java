package dev.pylon.spec;

import java.util.Optional;

/**
 * What the user said on the command line; each present value wins over every file.
 *
 * @param entrypoint {@code --entrypoint}: a shell command that serves on {@code $PORT}
 * @param app {@code --app MODULE:ATTR}
 * @param threads {@code --threads}
 * @param instances {@code --instances}
 * @param python {@code --python}: a version ({@code 3.11}, {@code 3.11.2}) or a path to an
 *     interpreter
 * @param service {@code --service}: the service name
 */
public record SpecOverrides(
    Optional<String> entrypoint,
    Optional<String> app,
    Optional<Integer> threads,
    Optional<Integer> instances,
    Optional<String> python,
    Optional<String> service) {

  public static SpecOverrides none() {
    return new SpecOverrides(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public SpecOverrides withEntrypoint(String value) {
    return new SpecOverrides(Optional.of(value), app, threads, instances, python, service);
  }

  public SpecOverrides withApp(String value) {
    return new SpecOverrides(entrypoint, Optional.of(value), threads, instances, python, service);
  }

  public SpecOverrides withThreads(int value) {
    return new SpecOverrides(entrypoint, app, Optional.of(value), instances, python, service);
  }

  public SpecOverrides withInstances(int value) {
    return new SpecOverrides(entrypoint, app, threads, Optional.of(value), python, service);
  }

  public SpecOverrides withPython(String value) {
    return new SpecOverrides(entrypoint, app, threads, instances, Optional.of(value), service);
  }

  public SpecOverrides withService(String value) {
    return new SpecOverrides(entrypoint, app, threads, instances, python, Optional.of(value));
  }
}
