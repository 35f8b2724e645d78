/// A SQL statement and its parameters.
///
/// Written as a string literal, with values interpolated; every value becomes
/// a `$n` parameter and never part of the SQL text:
///
/// ```swift
/// let query: PostgresQuery = "select name from klouds where id = \(kloudID)"
/// // sql: "select name from klouds where id = $1", one uuid binding
/// ```
///
/// A `String` variable cannot become a query by accident; SQL that is not a
/// literal needs the conspicuous ``init(unsafeRaw:)``.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text, with `$1`, `$2`, … for the parameters.
    public private(set) var sql: String
    /// The parameter values.
    public private(set) var bindings: PostgresBindings

    /// Uses `sql` as it is. Never build `sql` from values: interpolate them
    /// into a literal instead.
    public init(unsafeRaw sql: String, bindings: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.bindings = bindings
    }

    /// A query without parameters.
    public init(stringLiteral value: String) {
        self.sql = value
        self.bindings = PostgresBindings()
    }

    /// A query whose interpolated values are parameters.
    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// The SQL text and the number of parameters; never their values.
    public var description: String {
        "\(sql) [\(bindings.count) parameter\(bindings.count == 1 ? "" : "s")]"
    }

    /// Builds a query from literal SQL and interpolated values.
    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var sql: String
        fileprivate var bindings = PostgresBindings()

        /// Reserves room for the SQL.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        /// Appends literal SQL.
        public mutating func appendLiteral(_ literal: String) {
            sql.append(literal)
        }

        /// Appends a value as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bindings.append(value)
            sql.append("$\(bindings.count)")
        }

        /// Appends a value as the next parameter; `nil` is SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            if let value {
                bindings.append(value)
            } else {
                bindings.appendNull(as: Value.postgresType)
            }
            sql.append("$\(bindings.count)")
        }

        /// Appends a quoted identifier (a table, role or database name), for
        /// statements where a name cannot be a parameter.
        public mutating func appendInterpolation(identifier: String) {
            precondition(!identifier.utf8.contains(0), "an identifier cannot contain NUL")
            sql.append("\"" + identifier.replacingAll("\"", with: "\"\"") + "\"")
        }

        /// Appends a quoted string literal, for utility statements that take
        /// no parameters (`CREATE ROLE ... PASSWORD`). Anywhere else, interpolate
        /// the value itself so it becomes a parameter.
        public mutating func appendInterpolation(literal: String) {
            precondition(!literal.utf8.contains(0), "a string literal cannot contain NUL")
            // The E'' form reads backslashes as escapes whatever
            // standard_conforming_strings says, so doubling both is exact.
            let escaped = literal.replacingAll("\\", with: "\\\\").replacingAll("'", with: "''")
            sql.append("E'" + escaped + "'")
        }

        /// Appends SQL text as it is. Never pass anything built from values.
        public mutating func appendInterpolation(unsafeRaw sql: String) {
            self.sql.append(sql)
        }
    }
}

extension String {
    /// The string with every occurrence of the scalar `target` replaced.
    ///
    /// Works on Unicode scalars, not characters: a quote followed by a
    /// combining mark is one `Character` but still a quote to the server.
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if scalar == target {
                result.append(replacement)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
