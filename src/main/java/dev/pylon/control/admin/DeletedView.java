package dev.pylon.control.admin;

/** {@code DELETE /v1/services/NAME}: the service that was forgotten. */
public record DeletedView(String deleted) {}
