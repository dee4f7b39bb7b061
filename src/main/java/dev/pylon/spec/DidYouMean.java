package dev.pylon.spec;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Suggests the known name closest to a misspelled one. */
final class DidYouMean {
  private DidYouMean() {}

  /** The closest known name, if it is close enough to be a likely typo. */
  static Optional<String> closest(String given, Collection<String> known) {
    String g = given.toLowerCase(Locale.ROOT);
    return known.stream()
        .filter(
            k ->
                distance(g, k.toLowerCase(Locale.ROOT)) <= Math.max(2, k.length() / 3)
                    || k.toLowerCase(Locale.ROOT)
                        .replace("_", "")
                        .equals(g.replace("_", "").replace("-", "")))
        .min(Comparator.comparingInt(k -> distance(g, k.toLowerCase(Locale.ROOT))));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
