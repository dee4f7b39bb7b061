package dev.pylon.runtime;

/** How a process ended, in words a user reads in events and error messages. */
final class ExitStatus {
  private ExitStatus() {}

  /** "exited with status 3", or "killed by signal 9 (KILL)" for the JDK's 128+n convention. */
  static String describe(Process process) {
    if (process.isAlive()) {
      return "still running";
    }
    return describe(process.exitValue());
  }

  /** {@link #describe(Process)} for an exit status in the JDK's convention (128+n: signal n). */
  static String describe(int status) {
    if (status > 128 && status < 128 + 32) {
      int signal = status - 128;
      return "killed by signal " + signal + signalName(signal);
    }
    return "exited with status " + status;
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 1 -> " (HUP)";
      case 2 -> " (INT)";
      case 6 -> " (ABRT)";
      case 9 -> " (KILL)";
      case 11 -> " (SEGV)";
      case 15 -> " (TERM)";
      default -> "";
    };
  }
}
