package dev.pylon.control.admin;

/**
 * One running instance ({@code GET /v1/instances}).
 *
 * @param state starting, ready, ... in lower case
 * @param starts how many times it was started
 * @param since when it entered its state (ISO-8601)
 */
public record InstanceView(
    String revision, String name, String state, int port, long pid, int starts, String since) {}
