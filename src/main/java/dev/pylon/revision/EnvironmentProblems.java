package dev.pylon.revision;

import dev.pylon.revision.EnvironmentResult.Failed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The messages of a failed environment build: what happened and what to do, one paragraph. */
final class EnvironmentProblems {
  private EnvironmentProblems() {}

  static Failed noInterpreter(Path interpreter) {
    return new Failed(
        "No Python interpreter was found at "
            + interpreter
            + ". Install Python 3 (on Debian or Ubuntu: apt-get install python3 python3-venv)"
            + " or point Pylon at an interpreter that exists, for example /usr/bin/python3.",
        -1,
        List.of());
  }

  static Failed missingDependencyFile(Path file) {
    return new Failed(
        "The dependency file "
            + file
            + " does not exist. Create it, or remove it from the app's configuration.",
        -1,
        List.of());
  }

  static Failed venvFailed(EnvironmentRequest request, CommandResult result) {
    String joined = String.join("\n", result.outputTail());
    if (joined.contains("ensurepip") || joined.contains("No module named venv")) {
      return new Failed(
          "Python "
              + request.interpreterVersion()
              + " at "
              + request.interpreter()
              + " cannot create virtual environments because its venv/ensurepip module is"
              + " missing. On Debian or Ubuntu install it with: apt-get install python3-venv"
              + venvPackageHint(request.interpreterVersion())
              + ", then run the build again.",
          result.exitCode(),
          result.outputTail());
    }
    return new Failed(
        "Creating the virtualenv with "
            + request.interpreter()
            + " -m venv failed (exit status "
            + result.exitCode()
            + "). Its last lines are below; check that the state directory is writable and has"
            + " free space, and that the interpreter works.",
        result.exitCode(),
        result.outputTail());
  }

  /** On Debian the versioned package ("python3.11-venv") is what actually provides ensurepip. */
  private static String venvPackageHint(String version) {
    String[] parts = version.split("\\.");
    if (parts.length >= 2) {
      return " (or python" + parts[0] + "." + parts[1] + "-venv)";
    }
    return "";
  }

  private static final java.util.regex.Pattern NO_DISTRIBUTION =
      java.util.regex.Pattern.compile("No matching distribution found for ([A-Za-z0-9._-]+)");

  /**
   * pip's failure, with advice that fits how pip was set up: a way around a missing package index
   * is suggested only when it is not in effect already ({@code env} is the environment pip ran
   * with).
   */
  static Failed pipFailed(
      Path dependencyFile,
      CommandResult result,
      boolean systemSitePackages,
      Map<String, String> env) {
    String pipSaid =
        result.outputTail().stream()
            .filter(line -> line.startsWith("ERROR:"))
            .reduce((first, last) -> last)
            .map(line -> " pip said: " + line.substring("ERROR:".length()).trim() + ".")
            .orElse("");
    String missing =
        result.outputTail().stream()
            .map(NO_DISTRIBUTION::matcher)
            .filter(java.util.regex.Matcher::find)
            .map(m -> m.group(1))
            .reduce((first, last) -> last)
            .orElse("");
    boolean noIndex = isSet(env, "PIP_NO_INDEX");
    boolean findLinks = isSet(env, "PIP_FIND_LINKS");
    List<String> ways = new ArrayList<>();
    if (!noIndex && !findLinks) {
      ways.add("set PIP_NO_INDEX=1 and PIP_FIND_LINKS=<a folder of wheels>");
    } else if (!findLinks) {
      ways.add(
          "set PIP_FIND_LINKS=<a folder of wheels> (PIP_NO_INDEX is set, so pip looks nowhere"
              + " else)");
    }
    if (!systemSitePackages) {
      ways.add("use --system-site-packages to take the packages installed on this machine");
    }
    String advice;
    if (ways.isEmpty()) {
      String what = missing.isEmpty() ? "the package" : missing;
      advice =
          " PIP_NO_INDEX, PIP_FIND_LINKS ("
              + env.get("PIP_FIND_LINKS")
              + ") and --system-site-packages are all in effect, so "
              + what
              + " is in none of them: put its wheel in "
              + env.get("PIP_FIND_LINKS")
              + ", or install it on this machine"
              + (missing.isEmpty()
                  ? ""
                  : " (on Debian: apt-get install python3-"
                      + missing.toLowerCase(Locale.ROOT)
                      + ")")
              + ".";
    } else {
      advice =
          " Fix the requirement it names and build again. Without a reachable package index, "
              + String.join(", or ", ways)
              + ".";
    }
    return new Failed(
        "pip could not install the dependencies in "
            + dependencyFile.getFileName()
            + " (exit status "
            + result.exitCode()
            + ")."
            + pipSaid
            + advice,
        result.exitCode(),
        result.outputTail());
  }

  private static boolean isSet(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null
        && !value.isBlank()
        && !value.equals("0")
        && !value.equalsIgnoreCase("false");
  }

  static Failed interrupted() {
    return new Failed(
        "The build was interrupted; nothing half-built was kept. Run it again to finish it.",
        -1,
        List.of());
  }

  static Failed ioFailed(String doing, Path where, Exception e) {
    return new Failed(
        "Pylon could not "
            + doing
            + " in "
            + where
            + " ("
            + e
            + "). Check that the state directory is writable and has free space (--state-dir"
            + " or PYLON_HOME choose another).",
        -1,
        List.of());
  }
}
