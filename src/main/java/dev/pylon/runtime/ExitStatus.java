package dev.pylon.runtime;

/** How a process ended, in words a user reads in events and error messages. */
final class ExitStatus {
  private ExitStatus() {}

  /** "exited with status 3", or "killed by signal 9 (KILL)" for the JDK's 128+n convention. */
  static String describe(Process process) {
    if (process.isAlive()) {
      return "still running";
    }
    int status = process.exitValue();
    if (status > 128 && status < 128 + 32) {
      int signal = status - 128;
      return "killed by signal " + signal + signalName(signal);
    }
    return "exited with status " + status;
  }

  /**
   * The same words for a status as Python's {@code os.waitstatus_to_exitcode} gives it: the exit
   * status, or minus the signal that killed the process.
   */
  static String describe(int status) {
    if (status < 0 && status > -32) {
      return "killed by signal " + -status + signalName(-status);
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
