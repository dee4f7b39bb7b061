package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.List;
import java.util.Map;

/**
 * A service: {@code GET /v1/services[/NAME]}, and the answer of a traffic, scaling or env change.
 *
 * @param created when it was first deployed (ISO-8601)
 * @param revisions how many revisions it has
 * @param traffic its traffic lines as stored
 * @param serving revision to percent, "latest" resolved: where requests go now
 * @param rolledBackTo after a rollback, the revision that now serves; absent otherwise
 */
public record ServiceView(
    String name,
    String url,
    String created,
    int revisions,
    ScalingView scaling,
    Map<String, String> env,
    List<TrafficLineView> traffic,
    Map<String, Integer> serving,
    @JsonInclude(Include.NON_NULL) String rolledBackTo) {

  /** The same view, saying which revision a rollback went back to. */
  public ServiceView rolledBackTo(String revision) {
    return new ServiceView(name, url, created, revisions, scaling, env, traffic, serving, revision);
  }
}
