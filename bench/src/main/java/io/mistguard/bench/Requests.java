package io.mistguard.bench;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** The requests the benchmarks use: what catalyst and the load bench send. */
final class Requests {

    /** catalyst-api's GetState, as its load balancer POSTs it every 5 s. */
    static final String GETSTATE_FORM = "command=%7B%22active_streams%22%3A%5B%22source%22%5D%2C%22stats_streams%22"
            + "%3A%5B%22clients%22%2C%22lastms%22%5D%2C%22push_list%22%3Atrue%2C%22push_auto_list%22%3Atrue%7D";
    static final String FORM = "application/x-www-form-urlencoded";
    static final String INVALIDATE_JSON = "{\"invalidate_sessions\":[\"video+abc\",\"video+def\"]}";
    static final String CONFIG_READ_QUERY = "/api2?command=%7B%22config%22%3A%7B%7D%7D";

    private Requests() {
    }

    /** A read-only direct buffer of {@code text}, as the request decoder would hand it over. */
    static ByteBuf body(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        return Unpooled.unreleasableBuffer(buf.asReadOnly());
    }

    static MistRequest getState() {
        return new CommandClassifier().classify("POST", "/api2", FORM, body(GETSTATE_FORM));
    }

    static MistRequest smallGet() {
        return new CommandClassifier().classify("GET", "/small", null, Unpooled.EMPTY_BUFFER);
    }
}
