/// The names KloudHub's functions are deployed under, for one function to invoke another.
public enum FunctionName {
    /// What infra/ puts before each manifest name (`kloudhub-prod-`, say), from a function's
    /// `KLOUDHUB_FUNCTION_NAME_PREFIX`; empty where functions run under their manifest names.
    public static func prefix(reading environment: inout EnvironmentReader) -> String {
        environment.value(.functionNamePrefix) ?? ""
    }

    /// The deployed name of the function whose manifest is `functions/<manifestName>/`.
    public static func deployed(_ manifestName: String, prefix: String) -> String {
        prefix + manifestName
    }
}
