package dev.pylon.export;

import java.util.ArrayList;
import java.util.List;

/** A line diff for test failure messages: {@code -} expected, {@code +} actual. */
final class LineDiff {
  private LineDiff() {}

  static String diff(String expected, String actual) {
    List<String> a = expected.lines().toList();
    List<String> b = actual.lines().toList();
    int[][] common = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        common[i][j] =
            a.get(i).equals(b.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
        out.add(String.format("-%4d | %s", i + 1, a.get(i)));
        i++;
      } else {
        out.add(String.format("+%4d | %s", j + 1, b.get(j)));
        j++;
      }
    }
    if (out.isEmpty() && !expected.equals(actual)) {
      out.add("(the files differ only in line endings or the final newline)");
    }
    return String.join("\n", out);
  }
}
