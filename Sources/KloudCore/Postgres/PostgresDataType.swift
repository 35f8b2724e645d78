/// A Postgres type, identified by the object id (OID) the server reports for it.
///
/// Only the types KloudHub reads and writes have names here; any other type
/// still has its OID, which is what error messages show.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's OID.
    public let rawValue: UInt32

    /// Creates a type from its OID.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    // MARK: - Scalars

    /// `boolean`.
    public static let bool = PostgresDataType(rawValue: 16)
    /// `bytea`.
    public static let bytea = PostgresDataType(rawValue: 17)
    /// `"char"`, the one-byte internal type used by the catalogs.
    public static let char = PostgresDataType(rawValue: 18)
    /// `name`, the catalogs' identifier type.
    public static let name = PostgresDataType(rawValue: 19)
    /// `bigint`.
    public static let int8 = PostgresDataType(rawValue: 20)
    /// `smallint`.
    public static let int2 = PostgresDataType(rawValue: 21)
    /// `integer`.
    public static let int4 = PostgresDataType(rawValue: 23)
    /// `text`.
    public static let text = PostgresDataType(rawValue: 25)
    /// `oid`.
    public static let oid = PostgresDataType(rawValue: 26)
    /// `json`.
    public static let json = PostgresDataType(rawValue: 114)
    /// `real`.
    public static let float4 = PostgresDataType(rawValue: 700)
    /// `double precision`.
    public static let float8 = PostgresDataType(rawValue: 701)
    /// The type of an untyped literal.
    public static let unknown = PostgresDataType(rawValue: 705)
    /// `character(n)`.
    public static let bpchar = PostgresDataType(rawValue: 1042)
    /// `character varying(n)`.
    public static let varchar = PostgresDataType(rawValue: 1043)
    /// `date`.
    public static let date = PostgresDataType(rawValue: 1082)
    /// `timestamp without time zone`.
    public static let timestamp = PostgresDataType(rawValue: 1114)
    /// `timestamp with time zone`.
    public static let timestamptz = PostgresDataType(rawValue: 1184)
    /// `numeric`.
    public static let numeric = PostgresDataType(rawValue: 1700)
    /// `uuid`.
    public static let uuid = PostgresDataType(rawValue: 2950)
    /// `jsonb`.
    public static let jsonb = PostgresDataType(rawValue: 3802)

    // MARK: - Arrays

    /// `boolean[]`.
    public static let boolArray = PostgresDataType(rawValue: 1000)
    /// `bytea[]`.
    public static let byteaArray = PostgresDataType(rawValue: 1001)
    /// `name[]`.
    public static let nameArray = PostgresDataType(rawValue: 1003)
    /// `smallint[]`.
    public static let int2Array = PostgresDataType(rawValue: 1005)
    /// `integer[]`.
    public static let int4Array = PostgresDataType(rawValue: 1007)
    /// `text[]`.
    public static let textArray = PostgresDataType(rawValue: 1009)
    /// `character(n)[]`.
    public static let bpcharArray = PostgresDataType(rawValue: 1014)
    /// `character varying(n)[]`.
    public static let varcharArray = PostgresDataType(rawValue: 1015)
    /// `bigint[]`.
    public static let int8Array = PostgresDataType(rawValue: 1016)
    /// `timestamp with time zone[]`.
    public static let timestamptzArray = PostgresDataType(rawValue: 1185)
    /// `numeric[]`.
    public static let numericArray = PostgresDataType(rawValue: 1231)
    /// `uuid[]`.
    public static let uuidArray = PostgresDataType(rawValue: 2951)
    /// `jsonb[]`.
    public static let jsonbArray = PostgresDataType(rawValue: 3807)

    /// The element type, when this is one of the array types named here.
    public var elementType: PostgresDataType? {
        Self.elementTypes[self]
    }

    private static let elementTypes: [PostgresDataType: PostgresDataType] = [
        .boolArray: .bool, .byteaArray: .bytea, .nameArray: .name, .int2Array: .int2,
        .int4Array: .int4, .textArray: .text, .bpcharArray: .bpchar, .varcharArray: .varchar,
        .int8Array: .int8, .timestamptzArray: .timestamptz, .numericArray: .numeric,
        .uuidArray: .uuid, .jsonbArray: .jsonb,
    ]

    private static let names: [PostgresDataType: String] = [
        .bool: "boolean", .bytea: "bytea", .char: "\"char\"", .name: "name", .int8: "bigint",
        .int2: "smallint", .int4: "integer", .text: "text", .oid: "oid", .json: "json",
        .float4: "real", .float8: "double precision", .unknown: "unknown",
        .bpchar: "character", .varchar: "character varying", .date: "date",
        .timestamp: "timestamp", .timestamptz: "timestamptz", .numeric: "numeric",
        .uuid: "uuid", .jsonb: "jsonb", .boolArray: "boolean[]", .byteaArray: "bytea[]",
        .nameArray: "name[]", .int2Array: "smallint[]", .int4Array: "integer[]",
        .textArray: "text[]", .bpcharArray: "character[]", .varcharArray: "character varying[]",
        .int8Array: "bigint[]", .timestamptzArray: "timestamptz[]", .numericArray: "numeric[]",
        .uuidArray: "uuid[]", .jsonbArray: "jsonb[]",
    ]

    /// The SQL name of the type, or `oid N` for one not named here.
    public var description: String {
        Self.names[self] ?? "oid \(rawValue)"
    }
}
