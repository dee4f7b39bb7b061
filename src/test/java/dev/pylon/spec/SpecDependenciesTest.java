package dev.pylon.spec;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** spec is the bottom of the dependency graph: it imports nothing else of Pylon. */
class SpecDependenciesTest {

  @Test
  void specDependsOnlyOnTheJdkJacksonAndSlf4j() {
    JavaClasses spec =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pylon.spec");

    classes()
        .that()
        .resideInAPackage("dev.pylon.spec..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.pylon.spec..", "java..", "com.fasterxml.jackson..", "org.slf4j..")
        .check(spec);
  }
}
