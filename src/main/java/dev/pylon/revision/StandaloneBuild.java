package dev.pylon.revision;

import dev.pylon.spec.PythonVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One install-only build in a python-build-standalone release, as its {@code SHA256SUMS} lists it:
 * {@code <sha256> cpython-3.12.13+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz}.
 *
 * @param version the CPython release it holds
 * @param asset the archive's file name in the release
 * @param sha256 its checksum, lower-case hex
 */
record StandaloneBuild(PythonVersion version, String asset, String sha256) {
  private static final Pattern LINE =
      Pattern.compile(
          "([0-9a-fA-F]{64})\\s+\\*?(cpython-(\\d+\\.\\d+\\.\\d+)\\+[0-9A-Za-z.]+-(.+)-install_only\\.tar\\.gz)");

  /**
   * The builds for {@code triple} in a {@code SHA256SUMS} text. Pre-releases ({@code 3.15.0a1}),
   * free-threaded, debug and stripped variants have other names and are left out, as are other
   * machines' builds.
   */
  static List<StandaloneBuild> parse(String sums, String triple) {
    List<StandaloneBuild> builds = new ArrayList<>();
    for (String line : sums.lines().toList()) {
      Matcher m = LINE.matcher(line.strip());
      if (m.matches() && m.group(4).equals(triple)) {
        builds.add(
            new StandaloneBuild(
                PythonVersion.parse(m.group(3)).orElseThrow(),
                m.group(2),
                m.group(1).toLowerCase(java.util.Locale.ROOT)));
      }
    }
    return List.copyOf(builds);
  }
}
