import Logging

/// A logger for the emulator's own HTTP servers that stays silent but for critical errors (cancelling a server on shutdown logs errors that mean nothing), so that the
/// console shows the functions' output and Lambda's lines.
func quietLogger(label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}
