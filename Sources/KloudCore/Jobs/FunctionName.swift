/// The names KloudHub's functions are deployed under, for one function to invoke another.
public enum FunctionName {
    /// The variable holding what infra/ puts before each manifest name (`kloudhub-prod-`, say);
    /// the emulator deploys functions under their manifest names and leaves it unset.
    public static let prefixVariable = "KLOUDHUB_FUNCTION_NAME_PREFIX"

    /// The deployed name of the function whose manifest is `functions/<manifestName>/`.
    public static func deployed(_ manifestName: String, environment: [String: String]) -> String {
        (environment[prefixVariable] ?? "") + manifestName
    }
}
