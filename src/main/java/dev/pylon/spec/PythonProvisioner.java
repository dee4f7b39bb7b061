package dev.pylon.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * Installs Python builds that are not on this machine yet (python-build-standalone, as uv does).
 * The spec decides which version answers a request; an implementation outside the spec does the
 * network and file work, so reading a folder never downloads anything by itself.
 */
public interface PythonProvisioner {

  /** Where builds come from, for messages: the release and the mirror's address. */
  String source();

  /** The versions there are builds of for this machine; asks the source each time. */
  List<PythonVersion> installable() throws PythonProvisionException;

  /**
   * Installs exactly {@code version} (or finds it installed earlier) and returns its {@code
   * python3}. Nothing half-installed is left behind when it fails.
   */
  Path install(PythonVersion version) throws PythonProvisionException;
}
