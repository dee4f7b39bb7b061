package dev.pylon.control.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium and chromedriver ({@code apt-get install chromium chromium-driver}), headless,
 * with a fresh profile per test, nothing downloaded: Selenium gets both paths, so its manager never
 * looks for a driver, and the flags keep Chromium from calling home (the network is closed).
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final ChromeDriverService service;

  private HeadlessChromium(ChromeDriver driver, ChromeDriverService service) {
    this.driver = driver;
    this.service = service;
  }

  static HeadlessChromium start(Path profile, int width, int height) throws IOException {
    requireInstalled();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(flags(profile));
    options.addArguments("--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(java.io.OutputStream.nullOutputStream())
            .build();
    return new HeadlessChromium(new ChromeDriver(service, options), service);
  }

  ChromeDriver driver() {
    return driver;
  }

  /** A screenshot of the window, kept as test output. */
  Path screenshot(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /** What {@code chromium --headless --dump-dom URL} prints: the DOM after the page loaded. */
  static String dumpDom(Path profile, String url) throws IOException, InterruptedException {
    requireInstalled();
    List<String> command = new ArrayList<>();
    command.add(BROWSER.toString());
    command.addAll(flags(profile));
    command.add("--dump-dom");
    command.add(url);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium --dump-dom " + url + " did not end within 60 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static List<String> flags(Path profile) {
    return List.of(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile);
  }

  private static void requireInstalled() {
    for (Path p : List.of(BROWSER, DRIVER)) {
      if (!Files.isExecutable(p)) {
        throw new AssertionError(
            p + " is missing: the console's tests need `apt-get install chromium chromium-driver`");
      }
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
