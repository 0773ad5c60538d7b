package io.lkworker.runner;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Replaces {@code System.out}/{@code System.err} in a child: every complete line becomes one
 * call of the sink (which ships it to the daemon as a log record). Thread-safe: PrintStream
 * serialises writers, so the splitter below only ever sees one thread at a time.
 */
public final class LineCapturingPrintStream extends PrintStream {

    private final LineSplitter splitter;

    public LineCapturingPrintStream(Consumer<String> sink) {
        this(new LineSplitter(sink));
    }

    private LineCapturingPrintStream(LineSplitter splitter) {
        super(splitter, true, StandardCharsets.UTF_8);
        this.splitter = splitter;
    }

    /** Emits a trailing partial line (used when the child exits). */
    public void flushPartialLine() {
        synchronized (this) {
            flush();
            splitter.emitPartial();
        }
    }

    private static final class LineSplitter extends OutputStream {
        /** A "line" longer than this is cut, so a program printing without newlines cannot grow memory. */
        private static final int MAX_LINE_BYTES = 64 * 1024;

        private final Consumer<String> sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

        LineSplitter(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
                if (line.size() >= MAX_LINE_BYTES) {
                    emit();
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            if (start < end) {
                line.write(b, start, end - start);
                if (line.size() >= MAX_LINE_BYTES) {
                    emit();
                }
            }
        }

        void emitPartial() {
            if (line.size() > 0) {
                emit();
            }
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            sink.accept(text);
        }
    }
}
