/**
 * Hands a service to a container platform: a Dockerfile and {@code .dockerignore}, a Knative
 * Service, or Kubernetes manifests, each made from the same {@link dev.pylon.spec.ServiceSpec} that
 * {@code pylon run} uses. Pure text generation; {@link dev.pylon.export.ExportFiles} is the only
 * part that touches the disk. Entry point: {@link dev.pylon.export.Exporter}.
 */
package dev.pylon.export;
