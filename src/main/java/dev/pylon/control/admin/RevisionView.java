package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One revision of a service: {@code GET /v1/services/NAME/revisions}.
 *
 * @param number 1 for the service's first revision, then counting up
 * @param created when it was made (ISO-8601)
 * @param ready whether an instance of it was ever ready
 * @param percent its share of the service's requests now
 * @param tags the tags that name it
 * @param venv its virtualenv, absent when the app has no dependencies
 * @param build what the build detected, as the build summary wrote it
 * @param env the variables it runs with
 * @param runsAs {@code process} or {@code container}: what each of its instances is ({@code pylon
 *     deploy --container}); absent from an older daemon: process
 * @param image with {@code container}: the image its instances run
 */
public record RevisionView(
    String id,
    String service,
    int number,
    String created,
    boolean ready,
    int percent,
    List<String> tags,
    String python,
    @JsonInclude(Include.NON_NULL) String venv,
    JsonNode build,
    Map<String, String> env,
    String runsAs,
    @JsonInclude(Include.NON_NULL) String image) {
  public static final String PROCESS = "process";
  public static final String CONTAINER = "container";

  /** Whether its instances are containers. */
  public boolean inContainers() {
    return CONTAINER.equals(runsAs);
  }
}
