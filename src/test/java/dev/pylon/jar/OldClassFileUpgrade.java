package dev.pylon.jar;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.JSRInlinerAdapter;

/**
 * A build step, run on the shaded jar after {@code package} (see pom.xml): rewrites every class
 * file older than Java 6 (major version 50) as a Java 8 one with stack map frames, behaviour
 * unchanged.
 *
 * <p>Why: picocli ships Java 5 class files, and the JVM's start-up cache (JDK 25's AOT cache, and
 * AppCDS) leaves out an old class that was linked while the cache was recorded ("Old class has been
 * linked"), because the old verifier records nothing it could check again. So every command loaded
 * and verified picocli's 170-odd classes from the jar again, 70 ms of {@code pylon --version}. A
 * class of version 50 or later is verified by type checking against its frames, which the cache
 * keeps.
 */
public final class OldClassFileUpgrade {
  /** The first class-file version the start-up cache keeps once linked (Java 6). */
  static final int FIRST_CACHEABLE = Opcodes.V1_6;

  private OldClassFileUpgrade() {}

  /** {@code OldClassFileUpgrade JAR}: rewrites the jar in place; prints how many classes. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: OldClassFileUpgrade JAR");
    }
    int upgraded = upgradeJar(Path.of(args[0]));
    System.out.println("[pylon] " + upgraded + " class files older than Java 6 made Java 8 ones");
  }

  /** Rewrites every old class file in {@code jar}; returns how many. */
  static int upgradeJar(Path jar) throws IOException {
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
      List<Path> classes;
      try (Stream<Path> paths = Files.walk(zip.getPath("/"))) {
        classes = paths.filter(p -> p.toString().endsWith(".class")).toList();
      }
      int upgraded = 0;
      for (Path file : classes) {
        byte[] bytes = Files.readAllBytes(file);
        if (isOld(bytes)) {
          Files.write(file, upgrade(bytes));
          upgraded++;
        }
      }
      return upgraded;
    }
  }

  /** A class file's major version is below 50 (bytes 6 and 7, after the magic and the minor). */
  static boolean isOld(byte[] classFile) {
    return classFile.length > 8
        && (((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff)) < FIRST_CACHEABLE;
  }

  /**
   * The same class as a Java 8 class file: frames computed, and any {@code jsr}/{@code ret}
   * subroutine (which Java 7+ class files may not contain) inlined.
   */
  static byte[] upgrade(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected ClassLoader getClassLoader() {
            // The frames' common super classes are found among the jar's own dependencies,
            // which are on this tool's class path.
            return OldClassFileUpgrade.class.getClassLoader();
          }
        };
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public void visit(
              int version,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
          }

          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            return new JSRInlinerAdapter(
                super.visitMethod(access, name, descriptor, signature, exceptions),
                access,
                name,
                descriptor,
                signature,
                exceptions);
          }
        },
        ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}
