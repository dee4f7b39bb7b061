package dev.pylon.runtime;

/** An instance that accepts connections on {@code host:port} and may be given traffic. */
public record ReadyInstance(String name, String host, int port) {}
