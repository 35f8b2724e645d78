/// A variable KloudHub gives its functions. A function's manifest lists the settings it takes
/// (`configuration`); infra/ and the emulator give it exactly those, and its configuration
/// reads exactly those (a test compares the three).
public enum Setting: String, Sendable, CaseIterable {
    /// The API's public origin: the OAuth issuer, and `<it>/mcp` the MCP resource.
    case publicURL = "KLOUDHUB_PUBLIC_URL"
    /// The Clerk Frontend API URL every session token's `iss` must equal.
    case clerkIssuer = "KLOUDHUB_CLERK_ISSUER"
    /// Clerk's PEM public key (networkless verification).
    case clerkJWTKey = "KLOUDHUB_CLERK_JWT_KEY"
    /// Clerk's JWKS endpoint, where no PEM key is given.
    case clerkJWKSURL = "KLOUDHUB_CLERK_JWKS_URL"
    /// The origins allowed in a session token's `azp`, comma-separated.
    case clerkAuthorizedParties = "KLOUDHUB_CLERK_AUTHORIZED_PARTIES"
    /// Where a person who is not signed in is sent (`redirect_url` is added).
    case clerkSignInURL = "KLOUDHUB_CLERK_SIGN_IN_URL"
    /// The `whsec_` secret Clerk signs its webhooks with.
    case clerkWebhookSecret = "KLOUDHUB_CLERK_WEBHOOK_SECRET"
    /// The KMS key that seals cloud credentials and sensitive Kloud variables (PP-cloud).
    case credentialsKey = "KLOUDHUB_KMS_KEY_ID"
    /// KloudHub's buckets.
    case stateBucket = "KLOUDHUB_STATE_BUCKET"
    case logsBucket = "KLOUDHUB_LOGS_BUCKET"
    case blueprintsBucket = "KLOUDHUB_BLUEPRINTS_BUCKET"
    case exportsBucket = "KLOUDHUB_EXPORTS_BUCKET"
    /// What comes before a manifest name in a deployed function's name, for invoking another.
    case functionNamePrefix = "KLOUDHUB_FUNCTION_NAME_PREFIX"
    /// The verified SES address notifications come from.
    case notificationSender = "KLOUDHUB_NOTIFICATION_SENDER"
    /// Origins besides the public URL's that may call `/mcp` from a browser, comma-separated.
    case mcpAllowedOrigins = "KLOUDHUB_MCP_ALLOWED_ORIGINS"

    /// The settings a function takes from its manifest's `databaseRole` rather than its
    /// `configuration` list: the secret holding that role's connection string.
    public static let databaseSecret = "KLOUDHUB_DATABASE_SECRET_ARN"
    /// The log level, which every function's runtime reads.
    public static let logLevel = "LOG_LEVEL"
}

/// A variable that changes a function's behaviour for development or tests only. infra/ never
/// sets one (a test checks), and a function reads it beside its settings.
public enum DevelopmentSwitch: String, Sendable, CaseIterable {
    /// `allow` lets authorize fetch Client ID Metadata Documents from loopback http (tests).
    case loopbackClientMetadata = "KLOUDHUB_OAUTH_LOOPBACK_CLIENT_METADATA"
    /// `allow` lets an erasure job's `crashAfterStep` end the process (the crash tests).
    case erasureFaultInjection = "KLOUDHUB_ERASURE_FAULT_INJECTION"
    /// `off` stops request logging (the benchmark that measures what logging costs).
    case requestLog = "KLOUDHUB_REQUEST_LOG"
    /// The providers' filesystem mirror on this machine (in AWS: the Terraform layer's).
    case terraformPluginDirectory = "KLOUDHUB_TERRAFORM_PLUGIN_DIR"
}
