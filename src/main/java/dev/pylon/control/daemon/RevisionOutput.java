package dev.pylon.control.daemon;

/** Where the lines instances write go, and how a user finds them again. */
public interface RevisionOutput {
  /** One line an instance of the revision wrote to its stdout ({@code stderr} false) or stderr. */
  void line(String revision, String instance, boolean stderr, String text);

  /** Where a user reads the revision's output, e.g. "its output is in FILE (`pylon logs web`)". */
  String whereToLook(RevisionRecord revision);
}
