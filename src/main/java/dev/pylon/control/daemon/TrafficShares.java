package dev.pylon.control.daemon;

import dev.pylon.control.admin.TrafficBody;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code pylon traffic}'s shares by revision: those given by revision, then those given by tag,
 * each tag resolved to the revision it names now (two shares of one revision add up).
 */
final class TrafficShares {
  private TrafficShares() {}

  /**
   * The shares per revision id, in the order given; {@code tags} maps each of the service's tags to
   * its revision.
   */
  static Map<String, Integer> byRevision(
      String service, TrafficBody request, Map<String, String> tags) throws AdminError {
    Map<String, Integer> percents = new LinkedHashMap<>();
    if (request.percents() != null) {
      for (Map.Entry<String, Integer> entry : request.percents().entrySet()) {
        percents.put(entry.getKey(), share(entry));
      }
    }
    if (request.tagPercents() != null) {
      for (Map.Entry<String, Integer> entry : request.tagPercents().entrySet()) {
        String revision = tags.get(entry.getKey());
        if (revision == null) {
          throw AdminError.notFound(
              service + " has no revision tagged " + entry.getKey(),
              "see its tags with `pylon revisions " + service + "`");
        }
        percents.merge(revision, share(entry), Integer::sum);
      }
    }
    boolean toLatest = Boolean.TRUE.equals(request.toLatest());
    if (toLatest == !percents.isEmpty()) {
      throw AdminError.invalid(
          "say either where the traffic goes (percents) or that it follows the latest revision",
          "use --to-revisions R1=90,R2=10, --to-tags T1=90,T2=10 or --to-latest");
    }
    return percents;
  }

  private static int share(Map.Entry<String, Integer> entry) throws AdminError {
    if (entry.getValue() == null) {
      throw AdminError.invalid("the share of " + entry.getKey() + " is not a number", "");
    }
    return entry.getValue();
  }
}
