import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * N concurrent callers, one request each, on one NIO selector thread: each opens its own TCP
 * connection to the proxy, sends one GetState POST and waits for the status line of the answer.
 * Used by hung-mist.sh; run with {@code java HungMistClient.java HOST PORT N [connectsPerSecond]
 * [giveUpSeconds]}.
 *
 * <p>Connections are opened at a bounded rate (default 20 000/s, at most 512 connects pending),
 * so the listen backlog never overflows and SYN retries do not pollute the timings. Each caller's
 * answer time runs from the moment its request was completely written, which is when the proxy's
 * budget starts. Prints one {@code key=value} line per result, for the shell script to parse.
 */
public final class HungMistClient {

    /** catalyst-api's GetState, exactly: the load balancer's poll. */
    private static final byte[] REQUEST = ("POST /api2 HTTP/1.1\r\nHost: mist\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 169\r\n\r\n"
            + "command=%7B%22active_streams%22%3A%5B%22source%22%5D%2C%22stats_streams%22%3A%5B%22c"
            + "lients%22%2C%22lastms%22%5D%2C%22push_list%22%3Atrue%2C%22push_auto_list%22%3Atrue%7D").getBytes(StandardCharsets.US_ASCII);

    /** One caller's state; attached to its selection key. */
    private static final class Caller {
        final SocketChannel channel;
        final long connectStart = System.nanoTime();
        final ByteBuffer out = ByteBuffer.wrap(REQUEST);
        final ByteBuffer in = ByteBuffer.allocate(64);
        long written;     // nanoTime when the request was fully written, 0 before
        long answered;    // nanoTime of the first response bytes' status line, 0 before
        int status;       // HTTP status, or -1 closed without answer, -2 error

        Caller(SocketChannel channel) {
            this.channel = channel;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: java HungMistClient.java HOST PORT N [connectsPerSecond] [giveUpSeconds]");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        int perSecond = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        long giveUpNanos = (args.length > 4 ? Long.parseLong(args[4]) : 30) * 1_000_000_000L;
        if (REQUEST.length - headerLength() != 169) {
            throw new IllegalStateException("Content-Length does not match the body");
        }

        Selector selector = Selector.open();
        List<Caller> callers = new ArrayList<>(n);
        long start = System.nanoTime();
        int opened = 0;
        int pendingConnects = 0;
        int done = 0;
        int connectFailures = 0;
        while (done < n && System.nanoTime() - start < giveUpNanos) {
            long allowed = Math.min(n, (System.nanoTime() - start) * perSecond / 1_000_000_000L + 1);
            while (opened < allowed && pendingConnects < 512) {
                try {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Caller caller = new Caller(channel);
                    callers.add(caller);
                    if (channel.connect(target)) {
                        channel.register(selector, SelectionKey.OP_WRITE, caller);
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT, caller);
                        pendingConnects++;
                    }
                } catch (IOException e) {
                    connectFailures++;
                    done++;
                }
                opened++;
            }
            selector.select(5);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                Caller c = (Caller) key.attachment();
                try {
                    if (key.isConnectable()) {
                        pendingConnects--;
                        c.channel.finishConnect();
                        key.interestOps(SelectionKey.OP_WRITE);
                    } else if (key.isWritable()) {
                        c.channel.write(c.out);
                        if (!c.out.hasRemaining()) {
                            c.written = System.nanoTime();
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        int read = c.channel.read(c.in);
                        if (read < 0 || statusOf(c.in) != 0) {
                            c.answered = System.nanoTime();
                            c.status = read < 0 && statusOf(c.in) == 0 ? -1 : statusOf(c.in);
                            key.cancel();
                            c.channel.close();
                            done++;
                        }
                    }
                } catch (IOException e) {
                    if (key.isValid() && (key.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                        pendingConnects--;
                        connectFailures++;
                    }
                    c.status = -2;
                    c.answered = System.nanoTime();
                    key.cancel();
                    c.channel.close();
                    done++;
                }
            }
        }
        report(callers, n, opened, connectFailures, System.nanoTime() - start);
        for (Caller c : callers) {
            c.channel.close();
        }
    }

    private static int headerLength() {
        String s = new String(REQUEST, StandardCharsets.US_ASCII);
        return s.indexOf("\r\n\r\n") + 4;
    }

    /** The status code once "HTTP/1.1 NNN" has arrived, else 0. */
    private static int statusOf(ByteBuffer in) {
        if (in.position() < 12) {
            return 0;
        }
        byte[] b = Arrays.copyOf(in.array(), 12);
        return Integer.parseInt(new String(b, 9, 3, StandardCharsets.US_ASCII));
    }

    private static void report(List<Caller> callers, int n, int opened, int connectFailures, long elapsed) {
        Map<String, Integer> statuses = new TreeMap<>();
        long[] fromWrite = new long[callers.size()];
        long[] fromConnect = new long[callers.size()];
        int answered = 0;
        int timed = 0;
        for (Caller c : callers) {
            String key = c.answered == 0 ? "none" : c.status == -1 ? "closed" : c.status == -2 ? "error"
                    : Integer.toString(c.status);
            statuses.merge(key, 1, Integer::sum);
            if (c.status > 0) {
                answered++;
            }
            if (c.answered != 0 && c.written != 0) {
                fromWrite[timed] = c.answered - c.written;
                fromConnect[timed] = c.answered - c.connectStart;
                timed++;
            }
        }
        Arrays.sort(fromWrite, 0, timed);
        Arrays.sort(fromConnect, 0, timed);
        System.out.println("callers=" + n);
        System.out.println("opened=" + opened);
        System.out.println("connect_failures=" + connectFailures);
        System.out.println("answered=" + answered);
        System.out.println("statuses=" + statuses.toString().replace(" ", ""));
        System.out.println("elapsed_ms=" + elapsed / 1_000_000);
        if (timed > 0) {
            System.out.printf("answer_ms_from_write min=%.1f p50=%.1f p99=%.1f max=%.1f%n", ms(fromWrite[0]),
                    ms(fromWrite[timed / 2]), ms(fromWrite[(int) Math.min(timed - 1, timed * 99L / 100)]),
                    ms(fromWrite[timed - 1]));
            System.out.printf("answer_ms_from_connect max=%.1f%n", ms(fromConnect[timed - 1]));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
