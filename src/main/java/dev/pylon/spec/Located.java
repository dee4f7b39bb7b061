package dev.pylon.spec;

/** A value with the place it was written. */
record Located<T>(T value, Origin origin) {}
