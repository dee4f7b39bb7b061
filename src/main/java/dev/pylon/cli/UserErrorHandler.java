package dev.pylon.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a {@link UserError} as the paragraph it is; anything else is a bug in Pylon, reported with
 * its stack trace so it can be filed.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception exception, CommandLine commandLine, ParseResult parseResult) {
    if (exception instanceof UserError userError) {
      commandLine.getErr().println("pylon: " + userError.getMessage());
      commandLine.getErr().flush();
      return userError.exitCode();
    }
    commandLine.getErr().println("pylon: internal error (please report it): " + exception);
    exception.printStackTrace(commandLine.getErr());
    return 70;
  }
}
