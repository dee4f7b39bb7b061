package dev.pylon.router;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the HTTPS certificate lives.
 *
 * @param certificateChain PEM file: the server certificate first, then any intermediates
 * @param privateKey PEM file: the certificate's private key (PKCS#8, unencrypted)
 */
public record TlsFiles(Path certificateChain, Path privateKey) {
  public TlsFiles {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }
}
