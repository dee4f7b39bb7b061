package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Whether a Debian package is installed on this machine, as dpkg knows it. */
final class DebianPackages {
  private DebianPackages() {}

  static boolean installed(String pkg) {
    try {
      Process p =
          new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 && out.contains("install ok installed");
    } catch (IOException e) {
      return false; // no dpkg here: say the package is missing, which is the safe thing to say
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
