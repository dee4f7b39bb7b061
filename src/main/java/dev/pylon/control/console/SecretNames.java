package dev.pylon.control.console;

import java.util.regex.Pattern;

/** Which variable names look like they hold secrets, whose values a page shows masked. */
final class SecretNames {
  private static final Pattern SECRET =
      Pattern.compile(
          "(?i).*(SECRET|PASSWORD|PASSWD|PASS$|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|AUTH|_KEY$|^KEY$|"
              + "DSN|DATABASE_URL|SIGNATURE|COOKIE|SESSION).*");

  static final String MASK = "••••••••";

  private SecretNames() {}

  static boolean looksSecret(String name) {
    return SECRET.matcher(name).matches();
  }

  /** The value, or the mask when the name looks secret. */
  static String shown(String name, String value) {
    return looksSecret(name) ? MASK : value;
  }
}
