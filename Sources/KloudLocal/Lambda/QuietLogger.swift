import Logging

/// A logger for the emulator's own HTTP servers that stays silent below warnings, so that the
/// console shows the functions' output and Lambda's lines.
func quietLogger(label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}
