package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Map;

/** Where a loading gets the app probe's answer: the probe itself, or an answer already known. */
@FunctionalInterface
interface Prober {
  AppProbe.Answer ask(Interpreter python, Path sourceDir, AppTarget app, Map<String, String> env);
}
