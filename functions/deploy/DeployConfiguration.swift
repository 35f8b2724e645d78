import KloudCore

/// What the deploy function is configured with, read once at init from its environment: its
/// manifest's settings (Clerk's verification settings, the key that seals credentials and
/// sensitive variables, the state, logs and blueprints buckets, the notification sender), where
/// Terraform is, and the platform's.
struct DeployConfiguration {
    var platform: PlatformSettings
    var clerk: ClerkConfiguration?
    var credentialsKey: String
    var stateBucket: String
    var logsBucket: String
    var blueprintsBucket: String
    var notificationSender: String?
    var terraform: Terraform
    /// The AWS endpoints and CA bundle Terraform is given: the function's own, except Lambda's.
    var terraformAWSVariables: [String: String]

    init(reading environment: inout EnvironmentReader) throws {
        platform = try PlatformSettings(reading: &environment)
        clerk = try ClerkConfiguration(reading: &environment)
        credentialsKey = try environment.required(.credentialsKey, "the KMS key that seals credentials")
        stateBucket = try environment.required(.stateBucket, "the bucket of Terraform states")
        logsBucket = try environment.required(.logsBucket, "the bucket of deployment logs")
        blueprintsBucket = try environment.required(.blueprintsBucket, "the bucket of large Kloud files")
        notificationSender = environment.value(.notificationSender)
        terraform = Terraform(
            pluginDirectory: environment.value(DevelopmentSwitch.terraformPluginDirectory.rawValue),
            searchPath: environment.value("PATH"), temporaryFolder: environment.value("TMPDIR") ?? "/tmp")
        var passed = environment.values(withPrefix: "AWS_ENDPOINT_URL")
        passed["AWS_ENDPOINT_URL_LAMBDA"] = nil
        if let bundle = environment.value("AWS_CA_BUNDLE") { passed["AWS_CA_BUNDLE"] = bundle }
        terraformAWSVariables = passed
    }
}
