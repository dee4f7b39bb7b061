package dev.pylon.control.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin API's bearer token: made at the daemon's first start into {@code <state>/admin-token},
 * readable by its owner only (0600), and kept across restarts so the CLI keeps working.
 */
public final class AdminToken {
  public static final String FILE = "admin-token";

  private final byte[] value;

  private AdminToken(String value) {
    this.value = value.getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads the token, making it first when there is none. */
  public static AdminToken loadOrCreate(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE);
    if (!Files.exists(file)) {
      Files.createDirectories(stateDir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = HexFormat.of().formatHex(random);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n");
      } catch (FileAlreadyExistsException raced) {
        // Another daemon made it at the same moment: use theirs.
      }
    }
    // A token someone made readable to others is made private again.
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return read(stateDir);
  }

  /** Reads an existing token (the CLI's side). */
  public static AdminToken read(Path stateDir) throws IOException {
    String token = Files.readString(stateDir.resolve(FILE)).trim();
    if (token.isEmpty()) {
      throw new IOException(stateDir.resolve(FILE) + " is empty");
    }
    return new AdminToken(token);
  }

  public String value() {
    return new String(value, StandardCharsets.US_ASCII);
  }

  /** Whether an {@code Authorization} header carries this token (in constant time). */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    byte[] offered =
        authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(value, offered);
  }
}
