package dev.pylon.autoscale;

import java.util.List;
import java.util.Objects;

/**
 * A policy mapped from a user's configuration, and what in it could not be used.
 *
 * @param policy always usable: values that were not are left at their defaults
 * @param problems one sentence each, saying what was ignored and what to write instead
 */
public record MappedPolicy(ScalingPolicy policy, List<String> problems) {
  public MappedPolicy {
    Objects.requireNonNull(policy, "policy");
    problems = List.copyOf(problems);
  }

  public boolean clean() {
    return problems.isEmpty();
  }
}
