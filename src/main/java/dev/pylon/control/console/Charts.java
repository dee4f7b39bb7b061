package dev.pylon.control.console;

import java.util.List;
import java.util.Locale;

/**
 * Small line charts as inline SVG, drawn on the server from the ring: no script and no library, so
 * a chart shows even with JavaScript off and weighs a few hundred bytes.
 */
final class Charts {
  static final int WIDTH = 320;
  static final int HEIGHT = 90;
  private static final String[] COLORS = {"#2563eb", "#d97706", "#dc2626"};

  /** One line of a chart: its name and its values (NaN for a gap). */
  record Line(String name, double[] values) {}

  private Charts() {}

  static String chart(String title, String unit, List<Line> lines) {
    double max = 0;
    int n = 0;
    for (Line line : lines) {
      n = Math.max(n, line.values().length);
      for (double v : line.values()) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    double top = niceCeiling(max);
    StringBuilder svg = new StringBuilder(1024);
    svg.append("<figure class=\"chart\"><figcaption>")
        .append(Html.esc(title))
        .append(" <span class=\"unit\">")
        .append(Html.esc(unit))
        .append("</span>");
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      double last = Double.NaN;
      for (int j = line.values().length - 1; j >= 0 && Double.isNaN(last); j--) {
        last = line.values()[j];
      }
      svg.append(" <span class=\"key k")
          .append(i % COLORS.length)
          .append("\">")
          .append(Html.esc(line.name()))
          .append(' ')
          .append(Html.num(last))
          .append("</span>");
    }
    svg.append("</figcaption><svg viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"")
        .append(Html.esc(title))
        .append("\"><text x=\"2\" y=\"10\" class=\"axis\">")
        .append(Html.num(top))
        .append("</text><line x1=\"0\" y1=\"")
        .append(HEIGHT - 1)
        .append("\" x2=\"")
        .append(WIDTH)
        .append("\" y2=\"")
        .append(HEIGHT - 1)
        .append("\" class=\"base\"/>");
    if (n < 2) {
      svg.append("<text x=\"")
          .append(WIDTH / 2)
          .append("\" y=\"")
          .append(HEIGHT / 2)
          .append("\" text-anchor=\"middle\" class=\"axis\">collecting samples</text>");
    }
    for (int i = 0; i < lines.size() && n >= 2; i++) {
      // A NaN (no request finished in that interval) breaks the line rather than drawing a zero.
      for (String run : runs(lines.get(i).values(), n, top)) {
        svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
            .append(COLORS[i % COLORS.length])
            .append("\" points=\"")
            .append(run)
            .append("\"/>");
      }
    }
    svg.append("</svg></figure>");
    return svg.toString();
  }

  private static List<String> runs(double[] values, int n, double top) {
    List<String> runs = new java.util.ArrayList<>();
    StringBuilder run = new StringBuilder();
    int offset = n - values.length;
    for (int i = 0; i < values.length; i++) {
      if (Double.isNaN(values[i])) {
        if (!run.isEmpty()) {
          runs.add(run.toString().strip());
          run.setLength(0);
        }
        continue;
      }
      double x = (offset + i) * (WIDTH - 1.0) / (n - 1);
      double y = (HEIGHT - 2) - (top == 0 ? 0 : values[i] / top * (HEIGHT - 14));
      run.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    if (!run.isEmpty()) {
      runs.add(run.toString().strip());
    }
    return runs;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code max} (1 for nothing). */
  static double niceCeiling(double max) {
    if (max <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(max)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * power >= max) {
        return step * power;
      }
    }
    return 10 * power;
  }
}
