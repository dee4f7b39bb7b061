package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * One line of a streamed answer (a deploy, an env change): progress while the work goes, then its
 * result or its error. Only the fields of its kind are present:
 *
 * <pre>
 * {"event": "step", "message": ...}        {"event": "line", "line": ...}
 * {"event": "result", "result": {...}}     {"event": "error", "status", "error", "hint", "details"?}
 * </pre>
 *
 * @param result the answer's view (a {@link DeployView} or a {@link ServiceView}); a tree when read
 */
@JsonInclude(Include.NON_NULL)
public record StreamLine(
    String event,
    String message,
    String line,
    @JsonDeserialize(as = JsonNode.class) Object result,
    Integer status,
    String error,
    String hint,
    @JsonInclude(Include.NON_EMPTY) List<String> details) {
  public static final String STEP = "step";
  public static final String LINE = "line";
  public static final String RESULT = "result";
  public static final String ERROR = "error";

  public static StreamLine step(String message) {
    return new StreamLine(STEP, message, null, null, null, null, null, null);
  }

  public static StreamLine line(String line) {
    return new StreamLine(LINE, null, line, null, null, null, null, null);
  }

  public static StreamLine result(Object view) {
    return new StreamLine(RESULT, null, null, view, null, null, null, null);
  }

  public static StreamLine error(ErrorView e) {
    return new StreamLine(ERROR, null, null, null, e.status(), e.error(), e.hint(), e.details());
  }

  /** The error this line carries (for an "error" line). */
  public ErrorView errorView() {
    return new ErrorView(status == null ? 0 : status, error, hint == null ? "" : hint, details);
  }

  /** The result as a JSON tree (for a "result" line read by a client). */
  @JsonIgnore
  public JsonNode resultTree() {
    return result instanceof JsonNode node ? node : null;
  }

  /** A progress line (a step or a tool's output line), as opposed to the last one. */
  @JsonIgnore
  public boolean progress() {
    return !RESULT.equals(event) && !ERROR.equals(event);
  }
}
