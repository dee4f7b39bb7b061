package dev.pylon.control.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rollout step's traffic: the new revision's share as given, and the old revisions' shares scaled
 * to the rest by the largest-remainder method, so the percentages always add to 100.
 */
final class TrafficSplit {
  private TrafficSplit() {}

  /** {@code fixed} as given, and {@code old} scaled to {@code rest} percent (largest remainder). */
  static List<TrafficTarget> split(
      Map<String, Integer> fixed, Map<String, Integer> old, int rest, List<TrafficTarget> tags) {
    List<TrafficTarget> targets = new ArrayList<>();
    fixed.forEach((id, percent) -> targets.add(TrafficTarget.revision(id, percent)));
    int total = old.values().stream().mapToInt(Integer::intValue).sum();
    if (total > 0 && rest > 0) {
      List<String> ids = new ArrayList<>(old.keySet());
      int[] shares = new int[ids.size()];
      double[] remainders = new double[ids.size()];
      int given = 0;
      for (int i = 0; i < ids.size(); i++) {
        double exact = (double) old.get(ids.get(i)) * rest / total;
        shares[i] = (int) Math.floor(exact);
        remainders[i] = exact - shares[i];
        given += shares[i];
      }
      while (given < rest) {
        int best = 0;
        for (int i = 1; i < ids.size(); i++) {
          if (remainders[i] > remainders[best]) {
            best = i;
          }
        }
        shares[best]++;
        remainders[best] = -1;
        given++;
      }
      for (int i = 0; i < ids.size(); i++) {
        if (shares[i] > 0) {
          targets.add(TrafficTarget.revision(ids.get(i), shares[i]));
        }
      }
    } else if (rest > 0) {
      targets.add(TrafficTarget.latest(rest));
    }
    targets.addAll(tags);
    return targets;
  }
}
