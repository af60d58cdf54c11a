package org.openslx.netboot.boot;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes what the libraries log through System.Logger (the dnbd3 client's failovers, the NBD
 * server's connections) to the console as slx lines, one line each, INFO and above.
 */
final class DaemonLogging {
    private DaemonLogging() {
    }

    static void toConsole() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (!isLoggable(record)) {
                    return;
                }
                String message;
                try {
                    message = new java.util.logging.SimpleFormatter().formatMessage(record);
                } catch (RuntimeException e) {
                    message = record.getMessage();
                }
                String name = record.getLoggerName() == null ? "" : record.getLoggerName();
                String shortName = name.substring(name.lastIndexOf('.') + 1);
                String level = record.getLevel().intValue() >= Level.WARNING.intValue() ? record.getLevel() + " " : "";
                BootLog.info(level + shortName + ": " + message
                        + (record.getThrown() == null ? "" : " (" + record.getThrown() + ")"));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }
}
