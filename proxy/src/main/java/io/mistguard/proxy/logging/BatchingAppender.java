package io.mistguard.proxy.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A Logback appender for lines logged on event loops (the access log): {@link #append} only puts the
 * event on a lock-free queue — no lock, no I/O, and a thread woken once per {@code wakeLines} lines
 * at most — and one daemon thread wakes every {@code flushMillis}, encodes what arrived and writes it
 * to stdout in few {@code write}s.
 *
 * <p>Why not Logback's {@code AsyncAppender}: its blocking queue signals the worker on every event,
 * so each access-log line cost a futex wake-up, a context switch and a {@code write()} — three
 * futex calls and one {@code write} per request under {@code strace}, and about a third of
 * mistguard's CPU samples in a profile.
 *
 * <p>Bounded: at most {@code queueSize} events wait (8192 by default); beyond that a line is dropped
 * rather than ever blocking an event loop, and the worker reports how many it dropped, at most once
 * per flush. While the worker keeps up, lines reach stdout at most {@code flushMillis} (50 ms by
 * default) after they were logged; every queued line is written when the appender stops.
 *
 * <p>Woken early under load: the append that makes {@code wakeLines} events wait (256 by default;
 * {@code queueSize} if that is smaller, so a full small queue wakes the worker instead of waiting
 * for the flush) unparks the worker, and the worker writes at most {@code wakeLines} lines per
 * {@code write}, one wake-up per that many lines. Without it, at 40,000 requests/s a 50 ms
 * window held ~2,000 events (~2 MiB) that every young collection had to copy; with the image's small
 * heap they overflowed the survivor spaces into the old generation and caused a full collection
 * about every half second. Thread-safe: any number of
 * threads may append; one thread encodes and writes.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private final Queue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final LineBuffer batch = new LineBuffer(64 * 1024);
    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private int wakeLines = 256;
    private long flushMillis = 50;
    private volatile OutputStream target = System.out;
    private PrintStream errors = System.err;
    private volatile boolean running;
    private Thread worker;

    /** The encoder of each line (Logback's {@code <encoder>} element). */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** The encoder of each line, or {@code null} before one is set. */
    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }

    /** Events that may wait to be written, 1 or more; more are dropped. */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /**
     * How many waiting events wake the worker before its next flush is due, and the most lines it
     * writes at once; 1 or more. The default 256 costs one wake-up per 256 lines under load. Lines
     * are written within {@code flushMillis} only while the worker keeps up with the appenders.
     */
    public void setWakeLines(int wakeLines) {
        this.wakeLines = wakeLines;
    }

    /** How often the worker writes what arrived, in milliseconds, 1 or more. */
    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    /** Where lines go: stdout unless a test or an embedding program says otherwise. */
    public void setTarget(OutputStream target) {
        this.target = target;
    }

    /** Events that may wait, as set (default 8192). */
    public int getQueueSize() {
        return queueSize;
    }

    /** The flush interval in milliseconds, as set (default 50). */
    public long getFlushMillis() {
        return flushMillis;
    }

    /** Waiting events that wake the worker early, as set (default 256). */
    public int getWakeLines() {
        return wakeLines;
    }

    /** Lines dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void start() {
        if (encoder == null) {
            refuse("no encoder");
            return;
        }
        if (queueSize < 1 || flushMillis < 1 || wakeLines < 1) {
            refuse("queueSize, flushMillis and wakeLines must be 1 or more (got " + queueSize + ", " + flushMillis
                   + ", " + wakeLines + ")");
            return;
        }
        running = true;
        worker = new Thread(this::work, "mistguard-log-" + name);
        worker.setDaemon(true);
        worker.start();
        super.start();
    }

    /**
     * A refused start, told on stderr as well as to Logback's status: a file that silences Logback's
     * status (as deploy/logback.xml does) would otherwise lose the access log without a word.
     */
    private void refuse(String why) {
        String text = "appender " + name + " not started, its lines are not written: " + why;
        addError(text);
        errors.println("mistguard: " + text);
    }

    /** Where a refused start is told besides Logback's status: stderr unless a test says otherwise. */
    void setErrors(PrintStream errors) {
        this.errors = errors;
    }

    @Override
    protected void append(ILoggingEvent event) {
        int waiting = queued.incrementAndGet();
        if (waiting > queueSize) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        try {
            event.getThreadName(); // captured here: these are read lazily, and the worker is another thread
            event.getMDCPropertyMap();
        } finally {
            queue.offer(event);
        }
        if (waiting == Math.min(wakeLines, queueSize)) {
            LockSupport.unpark(worker);
        }
    }

    private void work() {
        long reported = 0;
        while (running) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(flushMillis));
            reported = reportDrops(reported);
            drain();
        }
        reportDrops(reported); // drops since the last flush are told at stop too
        drain();
    }

    private long reportDrops(long reported) {
        long now = dropped.get();
        if (now > reported) {
            // Ahead of the lines in the batch, which the drain that follows writes.
            batch.ascii("mistguard: ").decimal(now - reported)
                 .ascii(" access-log line(s) dropped: the log could not keep up\n");
        }
        return now;
    }

    /**
     * Encodes everything queued and writes it, one {@code write} per {@code wakeLines} lines at most,
     * so that a writer that cannot get ahead of the appenders still holds a bounded batch.
     */
    private void drain() {
        int lines = 0;
        for (ILoggingEvent event; (event = queue.poll()) != null; ) {
            queued.decrementAndGet();
            int before = batch.size();
            try {
                if (encoder instanceof TextLineEncoder text) {
                    text.encodeInto(event, batch); // straight into the batch: no array per line
                } else {
                    batch.bytes(encoder.encode(event));
                }
            } catch (RuntimeException e) {
                batch.truncate(before); // no half line
                addError("could not encode a line", e);
            }
            if (++lines >= wakeLines) {
                flushBatch();
                lines = 0;
            }
        }
        flushBatch();
    }

    /** Writes the batch from its own buffer: no copy of it per write. */
    private void flushBatch() {
        if (batch.size() > 0) {
            try {
                batch.writeTo(target);
                target.flush();
            } catch (IOException e) {
                addError("could not write log lines", e);
            }
            batch.reset();
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        running = false;
        LockSupport.unpark(worker);
        try {
            worker.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (target instanceof PrintStream stream) {
            stream.flush();
        }
    }
}
