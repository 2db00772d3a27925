package io.mistguard.proxy.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * A growable byte buffer that log lines are written into: ASCII text and decimal numbers go in
 * byte by byte, without an intermediate {@code String} or {@code byte[]}. Unlike
 * {@link java.io.ByteArrayOutputStream}, no method locks. Not thread-safe: one writer at a time.
 */
final class LineBuffer {

    private byte[] bytes;
    private int size;

    /** @param capacity the first capacity in bytes, at least 1; it doubles as needed */
    LineBuffer(int capacity) {
        bytes = new byte[Math.max(1, capacity)];
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    /** Forgets everything after the first {@code length} bytes (0 ≤ length ≤ {@link #size()}). */
    void truncate(int length) {
        if (length < 0 || length > size) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + size);
        }
        size = length;
    }

    /** Appends {@code text}, encoded with {@code charset} unless every char is ASCII (then as is). */
    LineBuffer text(String text, Charset charset) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) { // the ASCII prefix written so far is not counted: encode the whole text
                return bytes(text.getBytes(charset));
            }
            bytes[size + i] = (byte) c;
        }
        size += n;
        return this;
    }

    /** Appends {@code text}, whose chars must all be ASCII (the callers' own constants). */
    LineBuffer ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
        return this;
    }

    LineBuffer ascii(char c) {
        ensure(1);
        bytes[size++] = (byte) c;
        return this;
    }

    /** Appends {@code value} in decimal, as {@link Long#toString(long)} writes it. */
    LineBuffer decimal(long value) {
        if (value == Long.MIN_VALUE) {
            return ascii(Long.toString(value));
        }
        if (value < 0) {
            ascii('-');
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = size + digits - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
        return this;
    }

    LineBuffer bytes(byte[] more) {
        ensure(more.length);
        System.arraycopy(more, 0, bytes, size, more.length);
        size += more.length;
        return this;
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, size);
    }

    /** The bytes so far as text, decoded with {@code charset}. */
    String toString(Charset charset) {
        return new String(bytes, 0, size, charset);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
