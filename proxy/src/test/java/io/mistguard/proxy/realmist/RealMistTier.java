package io.mistguard.proxy.realmist;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Marks a test class of the opt-in real-Mist tier: tests that talk to a real MistServer named by
 * {@code MIST_URL}, because what they check (Mist's per-connection trust, its login) is Mist's own
 * behaviour, which sim-mist only imitates.
 *
 * <p>Such a class is tagged {@code real-mist} (select it alone with {@code -Dgroups=real-mist}) and
 * runs only when the system property {@value #ENABLE} is {@code true}, which the Maven profile
 * {@code real-mist} sets. A plain {@code mvn verify} reports the class as skipped, whatever the
 * environment holds, so a stray {@code MIST_URL} never aims the default build at a live Mist. With
 * the profile but without {@code MIST_URL}, every test is skipped by an assumption that says so.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("real-mist")
@EnabledIfSystemProperty(named = RealMistTier.ENABLE, matches = "true",
        disabledReason = "real-Mist tier: run with -Preal-mist and MIST_URL=http://host:port of a MistServer")
@interface RealMistTier {

    /** The system property that enables the tier; the {@code real-mist} profile sets it. */
    String ENABLE = "mistguard.realMist";
}
