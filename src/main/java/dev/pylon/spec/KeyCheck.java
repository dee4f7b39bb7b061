package dev.pylon.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the keys of one YAML mapping against what Pylon knows: unknown keys are errors with a "did
 * you mean"; keys Pylon accepts but cannot honour on one machine are warnings saying so.
 */
final class KeyCheck {
  private final List<SpecProblem> errors;
  private final List<SpecProblem> warnings;

  KeyCheck(List<SpecProblem> errors, List<SpecProblem> warnings) {
    this.errors = errors;
    this.warnings = warnings;
  }

  /**
   * @param section how the user names this mapping, e.g. {@code automatic_scaling}; "" for top
   * @param known keys Pylon reads here
   * @param ignored keys accepted with a warning, each with why it has no effect
   * @param foreign keys that belong elsewhere, each with a hint saying where
   * @param unknownIsError false for files exported by other tools, where unknown keys only warn
   */
  void check(
      YamlNode.Mapping mapping,
      String section,
      Set<String> known,
      Map<String, String> ignored,
      Map<String, String> foreign,
      boolean unknownIsError) {
    for (YamlNode.Entry e : mapping.entries().values()) {
      String key = e.key();
      if (known.contains(key)) {
        continue;
      }
      String where = section.isEmpty() ? "" : " in " + section;
      if (ignored.containsKey(key)) {
        warnings.add(
            e.keyOrigin()
                .problem(
                    "`" + key + "`" + where + " has no effect on one machine: " + ignored.get(key),
                    "keep it for the cloud; Pylon leaves it alone"));
        continue;
      }
      if (foreign.containsKey(key)) {
        errors.add(
            e.keyOrigin().problem("`" + key + "` does not belong" + where, foreign.get(key)));
        continue;
      }
      Set<String> all = new TreeSet<>(known);
      all.addAll(ignored.keySet());
      Optional<String> suggestion = DidYouMean.closest(key, all);
      String hint =
          suggestion
              .map(s -> "did you mean `" + s + "`?")
              .orElse("known keys" + where + ": " + String.join(", ", all));
      SpecProblem p = e.keyOrigin().problem("unknown key `" + key + "`" + where, hint);
      (unknownIsError ? errors : warnings).add(p);
    }
  }
}
