package dev.pylon.revision;

/** A dependency file Pylon cannot turn into requirements; the message says what to fix. */
final class DependencyFileException extends Exception {
  DependencyFileException(String message) {
    super(message);
  }
}
