package dev.pylon.cli;

/** Entry point of the {@code pylon} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("pylon");
  }
}
