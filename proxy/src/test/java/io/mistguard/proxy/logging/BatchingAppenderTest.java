package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The access log's appender: every line appended from any thread is written, in order per thread,
 * with the appending thread's name; a full queue drops lines and says how many; stopping writes
 * what is queued; a burst wakes the worker before its flush is due. Stop is the synchronisation point,
 * except in the burst tests, which wait (up to 30 s, not a timing assertion) for a flush an hour away.
 */
class BatchingAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("mistguard.access");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private BatchingAppender appender(int queueSize, long flushMillis) {
        return appender(queueSize, flushMillis, 256);
    }

    private BatchingAppender appender(int queueSize, long flushMillis, int wakeLines) {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("[%thread] %msg%n");
        encoder.start();
        BatchingAppender appender = new BatchingAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setFlushMillis(flushMillis);
        appender.setWakeLines(wakeLines);
        appender.setTarget(out);
        appender.start();
        return appender;
    }

    /** Waits up to 30 s (a bound for a stuck test, not a timing assertion) for {@code lines} written lines. */
    private void awaitWrittenLines(long lines) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.toString(StandardCharsets.UTF_8).lines().count() < lines && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
    }

    private LoggingEvent event(String message, Object... arguments) {
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, arguments);
    }

    @Test
    void everyLineFromEveryThreadIsWrittenInOrderPerThreadWithItsThreadName() throws Exception {
        BatchingAppender appender = appender(100_000, 5);
        int threads = 4;
        int lines = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread writer = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < lines; i++) {
                    appender.doAppend(event("t{} line {}", id, i));
                }
            }, "writer-" + t);
            writer.start();
            writers.add(writer);
        }
        go.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        appender.stop();

        String[] written = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(written).hasSize(threads * lines);
        for (int t = 0; t < threads; t++) {
            String prefix = "[writer-" + t + "] t" + t + " line ";
            List<Integer> order = new ArrayList<>();
            for (String line : written) {
                if (line.startsWith(prefix)) {
                    order.add(Integer.parseInt(line.substring(prefix.length())));
                }
            }
            assertThat(order).hasSize(lines).isSorted();
        }
        assertThat(appender.dropped()).isZero();
    }

    @Test
    void aFullQueueDropsLinesCountsThemAndSaysSo() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() { // the first write blocks: a worker that cannot keep up
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write(bytes, offset, length);
            }
        };
        BatchingAppender appender = appender(10, 3_600_000, 256);
        appender.setTarget(stuck);
        for (int i = 0; i < 10; i++) { // a full queue wakes the worker, which then blocks writing these
            appender.doAppend(event("first {}", i));
        }
        assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 25; i++) {
            appender.doAppend(event("line {}", i));
        }
        assertThat(appender.dropped()).isEqualTo(15);
        Thread stopper = new Thread(appender::stop, "stopper");
        stopper.start();
        while (stopper.getState() != Thread.State.TIMED_WAITING) { // in stop()'s join: no flush loop is left
            Thread.onSpinWait();
        }
        release.countDown();
        stopper.join();

        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written.lines().filter(l -> l.contains("] first "))).hasSize(10);
        assertThat(written.lines().filter(l -> l.contains("] line "))).hasSize(10);
        assertThat(written).contains("line 0").contains("line 9").doesNotContain("line 10");
        assertThat(written).contains("15 access-log line(s) dropped");
    }

    @Test
    void aBurstOfWakeLinesIsWrittenWithoutWaitingForTheFlushInterval() throws Exception {
        BatchingAppender appender = appender(8192, 3_600_000, 3); // the next flush is an hour away
        for (int i = 0; i < 3; i++) {
            appender.doAppend(event("line {}", i));
        }
        awaitWrittenLines(3);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3); // written before stop
        appender.stop();
    }

    @Test
    void aQueueSmallerThanWakeLinesIsDrainedBeforeItDrops() throws Exception {
        BatchingAppender appender = appender(4, 3_600_000, 256);
        for (int i = 0; i < 4; i++) {
            appender.doAppend(event("line {}", i));
        }
        awaitWrittenLines(4);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(4);
        assertThat(appender.dropped()).isZero();
        appender.stop();
    }

    @Test
    void aWorkerThatCannotGetAheadWritesAtMostWakeLinesAtOnce() {
        List<Integer> writes = new ArrayList<>();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                writes.add((int) new String(bytes, offset, length, StandardCharsets.UTF_8).lines().count());
                out.write(bytes, offset, length);
            }
        };
        BatchingAppender appender = appender(100_000, 3_600_000, 1_000_000); // never woken early
        appender.setTarget(counting);
        for (int i = 0; i < 50; i++) {
            appender.doAppend(event("line {}", i));
        }
        appender.setWakeLines(7); // seen by the worker through stop()'s volatile write
        appender.stop(); // one drain of 50 waiting lines

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(50);
        assertThat(writes).allSatisfy(lines -> assertThat(lines).isLessThanOrEqualTo(7));
    }

    @Test
    void withTheTextLineEncoderAccessLinesAndOtherEventsAreWrittenAsThePatternWritesThem() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        TextLineEncoder direct = new TextLineEncoder();
        direct.setContext(context);
        direct.start();
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern(DefaultLogging.TEXT_PATTERN);
        pattern.start();
        BatchingAppender appender = new BatchingAppender();
        appender.setContext(context);
        appender.setName("access-text");
        appender.setEncoder(direct);
        appender.setTarget(out);
        appender.start();
        AccessLine access = AccessLine.of(logger, Level.WARN, java.time.Instant.ofEpochMilli(1_764_662_400_123L),
                "mistguard-io-3-1", "get-state", "stale", "timeout", 200, 399, 2001, 2000, 1, "POST", "/api2");
        LoggingEvent ordinary = event("route={} decision={}", "catch-all", "proxied");

        appender.doAppend(access);
        appender.doAppend(ordinary);
        appender.stop();

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                new String(pattern.encode(access), StandardCharsets.UTF_8)
                + new String(pattern.encode(ordinary), StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(" WARN  [mistguard-io-3-1] mistguard.access - "
                + "route=get-state decision=stale cause=timeout status=200 bytes=399 total_ms=2001 upstream_ms=2000 "
                + "attempts=1 method=POST path=/api2");
    }

    @Test
    void anAppenderWithoutEncoderDoesNotStartAndSaysSo() {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        BatchingAppender appender = new BatchingAppender();
        appender.setContext(context);
        appender.setName("access-text");
        appender.setErrors(new PrintStream(errors, true, StandardCharsets.UTF_8));
        appender.start();
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors.toString(StandardCharsets.UTF_8))
                .isEqualTo("mistguard: appender access-text not started, its lines are not written: no encoder\n");
    }

    @Test
    void aSettingBelowOneRefusesTheStartAndSaysWhichOnStderrEvenWhenLogbackStatusIsSilenced() throws Exception {
        String xml = "<configuration>"
                     + "<statusListener class=\"ch.qos.logback.core.status.NopStatusListener\"/>"
                     + "<appender name=\"access-text\" class=\"" + BatchingAppender.class.getName() + "\">"
                     + "<wakeLines>0</wakeLines><encoder><pattern>%msg%n</pattern></encoder></appender>"
                     + "<logger name=\"mistguard.access\" additivity=\"false\"><appender-ref ref=\"access-text\"/></logger>"
                     + "</configuration>";
        PrintStream stderr = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        LoggerContext fromFile = new LoggerContext();
        try {
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(fromFile);
            joran.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } finally {
            System.setErr(stderr);
            fromFile.stop();
        }
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains(
                "mistguard: appender access-text not started, its lines are not written: "
                + "queueSize, flushMillis and wakeLines must be 1 or more (got 8192, 50, 0)");
    }
}
