package dev.pylon.control;

import dev.pylon.runtime.StartOutcome;
import dev.pylon.spec.ServiceSpec;

/** The paragraph a user reads when no instance of their app ever became ready. */
final class StartFailureMessage {
  private StartFailureMessage() {}

  static String of(StartOutcome outcome, ServiceSpec spec) {
    StringBuilder message = new StringBuilder();
    String command = spec.server().displayCommand();
    if (outcome.result() == StartOutcome.Result.TIMED_OUT) {
      message
          .append("no instance of ")
          .append(spec.name())
          .append(" accepted connections on its $PORT in time (")
          .append(outcome.detail())
          .append(").\nThe command was: ")
          .append(command)
          .append(
              "\nMake sure the server listens on 127.0.0.1:$PORT, or give it longer with --start-timeout.");
    } else {
      message
          .append("the app did not start: ")
          .append(outcome.instance())
          .append(" ")
          .append(outcome.detail())
          .append(" before it accepted connections.\nThe command was: ")
          .append(command)
          .append("\nFix the error in the app's output below, then run again.");
    }
    if (!outcome.lastLines().isEmpty()) {
      message.append("\n--- last lines of ").append(outcome.instance()).append(" ---");
      outcome.lastLines().forEach(line -> message.append("\n  ").append(line));
    }
    return message.toString();
  }
}
