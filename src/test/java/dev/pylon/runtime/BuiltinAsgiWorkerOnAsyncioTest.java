package dev.pylon.runtime;

/**
 * Every test of the built-in ASGI worker again on the standard library's event loop, which serves
 * every environment without uvloop (the worker takes uvloop whenever it is installed).
 */
class BuiltinAsgiWorkerOnAsyncioTest extends BuiltinAsgiWorkerTest {
  @Override
  String loop() {
    return "asyncio";
  }
}
