package dev.pylon.revision;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A built revision: everything an instance needs to start.
 *
 * @param service the service it belongs to
 * @param id the revision id ({@code K_REVISION})
 * @param dir the read-only source snapshot; instances run with it as working directory
 * @param python the interpreter to run the app with
 * @param venv the virtualenv, when the app has dependencies; put its {@code bin} first on {@code
 *     PATH} and set {@code VIRTUAL_ENV} so {@code gunicorn}/{@code uvicorn} are found
 */
public record Revision(String service, String id, Path dir, Path python, Optional<Path> venv) {}
