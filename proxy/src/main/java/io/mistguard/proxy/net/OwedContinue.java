package io.mistguard.proxy.net;

import io.netty.channel.ChannelHandlerContext;

/**
 * When a listener's last handler writes the {@code 100 Continue} a request asked for
 * ({@link ContinueExpected}): at once if no answer is owed to an earlier request, else once every
 * earlier answer is written (RFC 9112 §9.3.2), and not at all if the request's body came without it
 * (RFC 9110 §10.1.1) or once the caller's input has ended. The request a 100 is owed to is always
 * the one still being read, so it comes after every request the handler holds. One instance per
 * connection, used only from its event loop.
 */
public final class OwedContinue {

    private boolean owed;

    /**
     * {@link ContinueExpected} arrived.
     *
     * @param answerOwed whether an earlier request is still being answered (or waits its turn)
     */
    public void expected(ChannelHandlerContext ctx, boolean answerOwed) {
        if (answerOwed) {
            owed = true;
        } else {
            ctx.writeAndFlush(ContinueExpected.response());
        }
    }

    /** A whole request arrived: the one a 100 was owed to has its body, so none is sent. */
    public void requestWhole() {
        owed = false;
    }

    /**
     * The caller's input ended (it shut down its sending side): the body a 100 would ask for can no
     * longer come, so none is sent.
     */
    public void inputEnded() {
        owed = false;
    }

    /** Every earlier answer is written and no request waits: the owed 100, if any, goes out now. */
    public void turnCame(ChannelHandlerContext ctx) {
        if (owed) {
            owed = false;
            ctx.writeAndFlush(ContinueExpected.response());
        }
    }
}
