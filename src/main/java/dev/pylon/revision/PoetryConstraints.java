package dev.pylon.revision;

import java.util.ArrayList;
import java.util.List;

/** Poetry's version constraints ({@code ^1.2}, {@code ~1.2}, {@code *}) in PEP 440 form. */
final class PoetryConstraints {
  private PoetryConstraints() {}

  /** The PEP 440 specifier for a Poetry constraint; empty for "any version". */
  static String toPep440(String constraint) {
    String trimmed = constraint.trim();
    if (trimmed.isEmpty() || trimmed.equals("*")) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String part : trimmed.split("\\s*,\\s*|\\s+(?=[<>=!~^])")) {
      parts.add(single(part.trim()));
    }
    return String.join(",", parts);
  }

  private static String single(String constraint) {
    if (constraint.startsWith("^")) {
      return caret(constraint.substring(1).trim());
    }
    if (constraint.startsWith("~") && !constraint.startsWith("~=")) {
      return tilde(constraint.substring(1).trim());
    }
    if (Character.isDigit(constraint.charAt(0))) {
      return "==" + constraint;
    }
    return constraint;
  }

  /** ^1.2.3 is >=1.2.3,<2.0.0; ^0.2.3 is >=0.2.3,<0.3.0; ^0.0.3 is >=0.0.3,<0.0.4. */
  private static String caret(String version) {
    int[] numbers = numbers(version);
    int bump = 0;
    while (bump < numbers.length - 1 && numbers[bump] == 0) {
      bump++;
    }
    return ">=" + version + ",<" + upper(numbers, bump);
  }

  /** ~1.2.3 is >=1.2.3,<1.3.0; ~1 is >=1,<2. */
  private static String tilde(String version) {
    int[] numbers = numbers(version);
    int bump = numbers.length == 1 ? 0 : 1;
    return ">=" + version + ",<" + upper(numbers, bump);
  }

  private static String upper(int[] numbers, int bump) {
    StringBuilder upper = new StringBuilder();
    for (int i = 0; i < numbers.length; i++) {
      int value = i < bump ? numbers[i] : i == bump ? numbers[i] + 1 : 0;
      if (i > 0) {
        upper.append('.');
      }
      upper.append(value);
    }
    return upper.toString();
  }

  private static int[] numbers(String version) {
    String[] pieces = version.split("\\.");
    int[] numbers = new int[pieces.length];
    for (int i = 0; i < pieces.length; i++) {
      String digits = pieces[i].replaceAll("[^0-9].*$", "");
      numbers[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
    return numbers;
  }
}
