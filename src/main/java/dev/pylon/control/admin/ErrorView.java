package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.List;

/**
 * A request the daemon did not carry out.
 *
 * @param status the HTTP status it answered with
 * @param error what happened, for a person
 * @param hint what to do about it
 * @param details lines that explain it (a tool's last output); left out when none
 */
public record ErrorView(
    int status, String error, String hint, @JsonInclude(Include.NON_EMPTY) List<String> details) {
  public ErrorView {
    hint = hint == null ? "" : hint;
    details = details == null ? List.of() : List.copyOf(details);
  }
}
