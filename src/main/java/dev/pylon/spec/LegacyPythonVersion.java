package dev.pylon.spec;

import java.util.Map;
import java.util.Optional;

/**
 * App Engine flexible's legacy {@code runtime_config.python_version} (seed 003's table), and the
 * interpreter App Engine runs for it. Every line of the table is past its end of life, so only a
 * flag or {@code 3} ("some Python 3") lets it run here.
 *
 * @param text as written: {@code 2}, {@code 3}, {@code 3.4} ... {@code 3.7}
 * @param origin the value in app.yaml
 * @param appEngineRuns what App Engine runs for it, for example {@code 3.6.10}
 */
record LegacyPythonVersion(String text, Origin origin, String appEngineRuns) {
  static final Map<String, String> APP_ENGINE_RUNS =
      Map.of(
          "2", "2.7.12", "3.4", "3.4.8", "3.5", "3.5.9", "3", "3.6.10", "3.6", "3.6.10", "3.7",
          "3.7.9");

  /** The entry for {@code text}, empty when it is not in App Engine's table. */
  static Optional<LegacyPythonVersion> of(String text, Origin origin) {
    return Optional.ofNullable(APP_ENGINE_RUNS.get(text))
        .map(runs -> new LegacyPythonVersion(text, origin, runs));
  }

  /** {@code 3} asks for no particular version, so any installed Python 3 answers it. */
  boolean anyPython3() {
    return text.equals("3");
  }

  /** The request {@code 3} makes, weaker than any file that names a version. */
  Optional<PythonRequest> request() {
    return anyPython3() ? PythonRequest.versionOrPath(text, origin) : Optional.empty();
  }

  /** Why a version App Engine would run past its end of life does not run here. */
  SpecProblem refusal() {
    return origin.problem(
        "python_version "
            + text
            + " means Python "
            + appEngineRuns
            + ", which reached its end of life on "
            + endOfLife()
            + "; Pylon does not run it",
        "replace it with runtime_version: \"3.12\" (and port the app if it needs to), or pass"
            + " --python 3.12 to run it on a supported Python here");
  }

  /**
   * What a person deploying the same folder to App Engine must know: it would run another
   * interpreter than this one.
   *
   * @param chosen the interpreter that runs here
   * @param decider what chose it: "--python", ".python-version:1", or empty when this entry did
   */
  SpecProblem note(Interpreter chosen, Optional<String> decider) {
    String onAppEngine =
        "python_version "
            + text
            + " means Python "
            + appEngineRuns
            + " on App Engine flexible (end of life "
            + endOfLife()
            + ")";
    String hint =
        "write runtime_config: runtime_version: \""
            + chosen.minorVersion()
            + "\" instead, so App Engine and Pylon run the same Python";
    if (decider.isEmpty()) {
      return origin.problem(
          onAppEngine + "; Pylon runs it on Python " + chosen.version() + ", installed here",
          hint + ", or pass --python to pick another");
    }
    if (decider.get().equals("--python")) {
      return origin.problem(
          onAppEngine + "; it is ignored here: --python decides " + chosen.version(), hint);
    }
    return origin.problem(
        onAppEngine + "; here " + decider.get() + " decides " + chosen.version(), hint);
  }

  private String endOfLife() {
    String line = appEngineRuns.substring(0, appEngineRuns.lastIndexOf('.'));
    return InterpreterChooser.END_OF_LIFE.get(line.startsWith("2") ? "2" : line);
  }
}
