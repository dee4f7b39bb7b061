/**
 * Reads an app folder (app.yaml, Procfile, Knative service.yaml, requirements.txt, pyproject.toml,
 * .python-version, runtime.txt, the code itself) into one immutable {@link
 * dev.pylon.spec.ServiceSpec}, or into a list of {@link dev.pylon.spec.SpecProblem}s a person can
 * act on. Entry point: {@link dev.pylon.spec.SpecLoader}. Imports nothing else of Pylon.
 */
package dev.pylon.spec;
