package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * {@link HostPort}'s written-out {@code equals} and {@code hashCode} (they replace the record's generated
 * ones to spare start-up an {@code invokedynamic} link) keep the record contract: equal exactly when host
 * and port are, and equal values hash alike. Few hosts and ports, so that equal pairs are drawn often.
 */
class HostPortEqualityPropertiesTest {

    @Property
    void equalExactlyWhenHostAndPortAreAndThenHashAlike(
            @ForAll @AlphaChars @StringLength(min = 1, max = 2) String hostA, @ForAll @IntRange(max = 2) int portA,
            @ForAll @AlphaChars @StringLength(min = 1, max = 2) String hostB, @ForAll @IntRange(max = 2) int portB) {
        HostPort a = new HostPort(hostA, portA);
        HostPort b = new HostPort(new String(hostB.toCharArray()), portB); // never the same String instance

        assertThat(a.equals(b)).isEqualTo(hostA.equals(hostB) && portA == portB);
        assertThat(b.equals(a)).isEqualTo(a.equals(b));
        if (a.equals(b)) {
            assertThat(a.hashCode()).isEqualTo(b.hashCode());
        }
        assertThat(a.equals(null)).isFalse();
        assertThat(a).isEqualTo(a);
    }
}
