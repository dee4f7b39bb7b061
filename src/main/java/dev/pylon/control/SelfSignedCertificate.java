package dev.pylon.control;

import dev.pylon.router.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local certificate for {@code --tls self-signed}: made once with openssl into the state
 * directory and kept, so a browser exception for it lasts across runs.
 */
public final class SelfSignedCertificate {
  private SelfSignedCertificate() {}

  public static TlsFiles ensure(Path stateDir) throws RunFailure {
    Path dir = stateDir.resolve("tls");
    Path certificate = dir.resolve("localhost.crt");
    Path key = dir.resolve("localhost.key");
    if (Files.isRegularFile(certificate) && Files.isRegularFile(key)) {
      return new TlsFiles(certificate, key);
    }
    try {
      Files.createDirectories(dir);
      Path keyTemp = dir.resolve("localhost.key.tmp");
      Path certificateTemp = dir.resolve("localhost.crt.tmp");
      List<String> command =
          List.of(
              "openssl",
              "req",
              "-x509",
              "-newkey",
              "ec",
              "-pkeyopt",
              "ec_paramgen_curve:prime256v1",
              "-nodes",
              "-days",
              "825",
              "-subj",
              "/CN=localhost",
              "-addext",
              "subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1",
              "-keyout",
              keyTemp.toString(),
              "-out",
              certificateTemp.toString());
      Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
        throw new RunFailure(
            "openssl could not make a self-signed certificate:\n"
                + output.strip()
                + "\nGive your own with --tls-cert and --tls-key instead.",
            1);
      }
      Files.setPosixFilePermissions(keyTemp, PosixFilePermissions.fromString("rw-------"));
      Files.move(keyTemp, key);
      Files.move(certificateTemp, certificate);
      return new TlsFiles(certificate, key);
    } catch (IOException e) {
      throw new RunFailure(
          "cannot make a self-signed certificate in "
              + dir
              + " ("
              + e.getMessage()
              + "). --tls self-signed needs openssl (apt-get install openssl);"
              + " or give your own with --tls-cert and --tls-key.",
          1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure("interrupted while making a self-signed certificate", 1);
    }
  }
}
