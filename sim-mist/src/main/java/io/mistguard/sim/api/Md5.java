package io.mistguard.sim.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lower-case hex MD5, as Mist uses for passwords and challenges. Stateless. */
public final class Md5 {

    private Md5() {
    }

    /** Returns md5(text) as 32 lower-case hex digits. */
    public static String hex(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from this JVM", e);
        }
    }

    /** The answer Mist expects to a challenge: md5hex(md5hex(password) + challenge). */
    public static String challengeAnswer(String password, String challenge) {
        return hex(hex(password) + challenge);
    }
}
