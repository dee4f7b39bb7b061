package dev.pylon.spec;

import java.util.List;

/** What {@link SpecLoader#load} found: a spec (perhaps with warnings), or the errors. */
public sealed interface SpecResult {

  /** The folder was understood. Warnings are things Pylon accepts but the user should know. */
  record Loaded(ServiceSpec spec, List<SpecProblem> warnings) implements SpecResult {
    public Loaded {
      warnings = List.copyOf(warnings);
    }
  }

  /** The folder cannot be run as it is. Nothing should be started. */
  record Invalid(List<SpecProblem> errors) implements SpecResult {
    public Invalid {
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs at least one error");
      }
      errors = List.copyOf(errors);
    }

    /** All errors rendered for a person, separated by blank lines. */
    public String render() {
      return String.join("\n\n", errors.stream().map(SpecProblem::render).toList());
    }
  }
}
