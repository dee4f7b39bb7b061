package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code pylon python install VERSION}: which build answers the version, installed through a
 * provisioner. A build Pylon installed earlier that matches is used again; interpreters installed
 * some other way (pyenv, the distribution) do not count, as with {@code uv python install}.
 */
public final class PythonInstalls {
  private PythonInstalls() {}

  /** What an install came to. */
  public sealed interface Outcome {
    /**
     * @param python the installed interpreter
     * @param reused whether it was there already
     * @param notes what a person should know (another patch release than asked for)
     */
    record Installed(PythonFinder.Found python, boolean reused, List<String> notes)
        implements Outcome {}

    record Failed(String message, String hint) implements Outcome {}
  }

  public static Outcome install(
      String requested, PythonFinder finder, PythonProvisioner provisioner) {
    Optional<PythonRequest> parsed =
        PythonRequest.versionOrSpecifier(requested, Origin.ofFlag("pylon python install"));
    if (parsed.isEmpty()) {
      return new Outcome.Failed(
          "`" + requested + "` is not a Python version",
          "write a version such as 3.12 or 3.12.4, or a range such as \">=3.11,<3.13\"");
    }
    PythonRequest request = parsed.get();
    Optional<PythonFinder.Found> earlier =
        finder.all().stream()
            .filter(f -> f.where().equals("pylon"))
            .filter(f -> request.matches(f.parsedVersion()))
            .max(Comparator.comparing(PythonFinder.Found::parsedVersion));
    if (earlier.isPresent()) {
      return new Outcome.Installed(earlier.get(), true, List.of());
    }
    try {
      List<PythonVersion> available = provisioner.installable();
      Optional<DownloadChoice> choice = DownloadChoice.of(request, available);
      if (choice.isEmpty()) {
        return new Outcome.Failed(
            provisioner.source() + " has no build of Python " + requested + " for this machine",
            "it has "
                + (available.isEmpty()
                    ? "none"
                    : available.stream()
                        .sorted(Comparator.reverseOrder())
                        .map(PythonVersion::toString)
                        .collect(Collectors.joining(", ")))
                + "; ask for one of those, or set PYLON_PYTHON_RELEASE to a release that has it");
      }
      PythonVersion version = choice.get().version();
      Path executable = provisioner.install(version);
      Optional<PythonFinder.Found> found = finder.probe(executable);
      if (found.isEmpty()) {
        return new Outcome.Failed(
            executable + " was installed but does not run",
            "delete its folder and try again; the build may not suit this machine");
      }
      List<String> notes =
          choice.get().otherPatch()
              ? List.of(
                  provisioner.source()
                      + " has no build of "
                      + requested
                      + "; installed "
                      + version
                      + ", the newest of that line")
              : List.of();
      return new Outcome.Installed(found.get().foundBy("pylon"), false, notes);
    } catch (PythonProvisionException e) {
      return new Outcome.Failed(e.getMessage(), e.hint());
    }
  }
}
