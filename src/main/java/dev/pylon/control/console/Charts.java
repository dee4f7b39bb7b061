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
      svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
          .append(COLORS[i % COLORS.length])
          .append("\" points=\"")
          .append(points(lines.get(i).values(), n, top))
          .append("\"/>");
    }
    svg.append("</svg></figure>");
    return svg.toString();
  }

  private static String points(double[] values, int n, double top) {
    StringBuilder sb = new StringBuilder(values.length * 12);
    int offset = n - values.length;
    for (int i = 0; i < values.length; i++) {
      double v = Double.isNaN(values[i]) ? 0 : values[i];
      double x = (offset + i) * (WIDTH - 1.0) / (n - 1);
      double y = (HEIGHT - 2) - (top == 0 ? 0 : v / top * (HEIGHT - 14));
      sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return sb.toString().strip();
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
