package io.lkworker.runner;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A child's SLF4J logger: formats the message here, ships it as a record (see {@link IpcLoggerFactory}). */
final class IpcLogger extends LegacyAbstractLogger {

    IpcLogger(String name) {
        this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
        return IpcLoggerFactory.enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return IpcLoggerFactory.enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return IpcLoggerFactory.enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return IpcLoggerFactory.enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return IpcLoggerFactory.enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null; // no caller data: the daemon does not print it
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                               Throwable thrown) {
        String message = MessageFormatter.basicArrayFormat(pattern, args);
        IpcLoggerFactory.emit(name, level, message == null ? "" : message, thrown == null ? "" : stackTrace(thrown));
    }

    private static String stackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        String s = text.toString();
        return s.endsWith(System.lineSeparator()) ? s.substring(0, s.length() - System.lineSeparator().length()) : s;
    }
}
