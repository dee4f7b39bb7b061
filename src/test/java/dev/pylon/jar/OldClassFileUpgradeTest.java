package dev.pylon.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class OldClassFileUpgradeTest {
  @TempDir Path dir;

  /**
   * A Java 5 class with what Java 5 compilers emitted: a branch, an exception handler and a {@code
   * jsr}/{@code ret} subroutine (a {@code finally}), none of it with stack map frames.
   */
  private static byte[] java5Class() {
    ClassWriter w = new ClassWriter(0);
    w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC, "Old", null, "java/lang/Object", null);
    MethodVisitor sign =
        w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "sign", "(I)I", null, null);
    Label negative = new Label();
    sign.visitVarInsn(Opcodes.ILOAD, 0);
    sign.visitJumpInsn(Opcodes.IFLT, negative);
    sign.visitInsn(Opcodes.ICONST_1);
    sign.visitInsn(Opcodes.IRETURN);
    sign.visitLabel(negative);
    sign.visitInsn(Opcodes.ICONST_M1);
    sign.visitInsn(Opcodes.IRETURN);
    sign.visitMaxs(1, 1);
    MethodVisitor twice =
        w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "twice", "()I", null, null);
    Label subroutine = new Label();
    twice.visitInsn(Opcodes.ICONST_0);
    twice.visitVarInsn(Opcodes.ISTORE, 0);
    twice.visitJumpInsn(Opcodes.JSR, subroutine);
    twice.visitJumpInsn(Opcodes.JSR, subroutine);
    twice.visitVarInsn(Opcodes.ILOAD, 0);
    twice.visitInsn(Opcodes.IRETURN);
    twice.visitLabel(subroutine);
    twice.visitVarInsn(Opcodes.ASTORE, 1);
    twice.visitIincInsn(0, 5);
    twice.visitVarInsn(Opcodes.RET, 1);
    twice.visitMaxs(1, 2);
    MethodVisitor parse =
        w.visitMethod(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "parse", "(Ljava/lang/String;)I", null, null);
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    parse.visitTryCatchBlock(start, end, handler, "java/lang/NumberFormatException");
    parse.visitLabel(start);
    parse.visitVarInsn(Opcodes.ALOAD, 0);
    parse.visitMethodInsn(
        Opcodes.INVOKESTATIC, "java/lang/Integer", "parseInt", "(Ljava/lang/String;)I", false);
    parse.visitLabel(end);
    parse.visitInsn(Opcodes.IRETURN);
    parse.visitLabel(handler);
    parse.visitInsn(Opcodes.POP);
    parse.visitInsn(Opcodes.ICONST_0);
    parse.visitInsn(Opcodes.IRETURN);
    parse.visitMaxs(1, 1);
    w.visitEnd();
    return w.toByteArray();
  }

  private static Class<?> define(byte[] classFile) {
    return new ClassLoader(OldClassFileUpgradeTest.class.getClassLoader()) {
      Class<?> define() {
        return defineClass("Old", classFile, 0, classFile.length);
      }
    }.define();
  }

  private static int call(Class<?> type, String name, Object... args) throws Exception {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name)) {
        return (int) m.invoke(null, args);
      }
    }
    throw new AssertionError("no method " + name);
  }

  private static int major(byte[] classFile) {
    return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
  }

  @Test
  void anUpgradedClassIsAJava8OneThatBehavesTheSame() throws Exception {
    byte[] old = java5Class();
    assertThat(OldClassFileUpgrade.isOld(old)).isTrue();
    byte[] upgraded = OldClassFileUpgrade.upgrade(old);
    assertThat(major(upgraded)).isEqualTo(52);
    assertThat(OldClassFileUpgrade.isOld(upgraded)).isFalse();
    for (Class<?> type : new Class<?>[] {define(old), define(upgraded)}) {
      assertThat(call(type, "sign", 7)).isEqualTo(1);
      assertThat(call(type, "sign", -7)).isEqualTo(-1);
      assertThat(call(type, "twice")).isEqualTo(10);
      assertThat(call(type, "parse", "42")).isEqualTo(42);
      assertThat(call(type, "parse", "forty-two")).isZero();
    }
  }

  @Test
  void aJarHasItsOldClassesRewrittenAndEverythingElseLeftAsItWas() throws Exception {
    Path jar = dir.resolve("app.jar");
    byte[] modern = OldClassFileUpgrade.upgrade(java5Class());
    try (FileSystem zip =
        FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
      Files.createDirectories(zip.getPath("/old"));
      Files.write(zip.getPath("/old/Old.class"), java5Class());
      Files.write(zip.getPath("/Modern.class"), modern);
      Files.writeString(zip.getPath("/notes.txt"), "not a class");
    }
    assertThat(OldClassFileUpgrade.upgradeJar(jar)).isEqualTo(1);
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
      assertThat(major(Files.readAllBytes(zip.getPath("/old/Old.class")))).isEqualTo(52);
      assertThat(Files.readAllBytes(zip.getPath("/Modern.class"))).isEqualTo(modern);
      assertThat(Files.readString(zip.getPath("/notes.txt"))).isEqualTo("not a class");
    }
    assertThat(OldClassFileUpgrade.upgradeJar(jar)).as("nothing left to do").isZero();
  }
}
