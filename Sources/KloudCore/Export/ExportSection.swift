import FoundationEssentials

/// The sections of an account export and the SQL that reads each, one page at a time, as JSON
/// built by Postgres. Every column is named: no credential column (ciphertext, data key,
/// external id, key or code hash, client secret) and no internal bookkeeping that could hold a
/// log line (`progress`, a shell's image and container) is read, and sensitive Kloud variables
/// are redacted.
struct ExportSection: Sendable {
    /// The section's name in the document.
    var name: String
    /// The account table it reads.
    var table: String
    /// The select list: fixed SQL written here, never built from input.
    var columns: String

    /// A page of the account's rows after the row `after`, by id: each row's id and its JSON.
    func page(account: UUID, after: UUID?, limit: Int) -> PostgresQuery {
        """
        select id, row_to_json(r)::text from (
            select \(unsafeRaw: columns) from kloudhub.\(identifier: table)
            where account_id = \(account) and (\(after)::uuid is null or id > \(after)) order by id limit \(limit)) r
        """
    }

    /// A Kloud's variables with every field of a sensitive one but its type, description and flag
    /// replaced by `[redacted]`.
    static let redactedVariables = """
        (select coalesce(jsonb_object_agg(name, case
             when jsonb_typeof(definition) = 'object' and definition -> 'sensitive' = 'true'::jsonb then
                 (select jsonb_object_agg(field, case when field in ('sensitive', 'type', 'description')
                                                      then value else '"[redacted]"'::jsonb end)
                  from jsonb_each(definition) as f(field, value))
             else definition end), '{}'::jsonb)
         from jsonb_each(variables) as v(name, definition)) as variables
        """

    /// Every section, in document order.
    static let all: [ExportSection] = [
        ExportSection(
            name: "cloudAccounts", table: "cloud_accounts",
            columns:
                "id, aws_account_id, name, region, auth_kind, role_arn, status, last_verified_at, last_error_code, "
                + "latest_scan_id, created_at, updated_at, disconnected_at"),
        ExportSection(
            name: "apiKeys", table: "api_keys",
            columns: "id, kind, name, display_prefix, scopes, client_id, resource, created_at, expires_at, "
                + "last_used_at, revoked_at"),
        ExportSection(
            name: "oauthCodes", table: "oauth_codes",
            columns: "id, client_id, redirect_uri, scopes, resource, created_at, expires_at, consumed_at"),
        ExportSection(
            name: "klouds", table: "klouds",
            columns: "id, name, description, created_at, updated_at, " + redactedVariables),
        ExportSection(
            name: "kloudFiles", table: "kloud_files",
            columns: "id, kloud_id, path, content, s3_key, encode(sha256, 'hex') as sha256, size_bytes, created_at, "
                + "updated_at"),
        ExportSection(
            name: "deployments", table: "deployments",
            columns: "id, kloud_id, cloud_account_id, action, status, plan_summary, log_s3_key, state_s3_key, "
                + "error_code, created_at, started_at, finished_at, updated_at"),
        ExportSection(
            name: "scans", table: "scans",
            columns: "id, cloud_account_id, regions, status, resource_count, total_monthly_cost, total_monthly_saving, "
                + "finding_count, unpriced_count, warnings, error_code, created_at, started_at, finished_at"),
        ExportSection(
            name: "resources", table: "resources",
            columns: "id, cloud_account_id, scan_id, arn, resource_type, name, region, monthly_cost, unpriced_reason, "
                + "tags, details, first_seen_at, last_seen_at"),
        ExportSection(
            name: "wasteFindings", table: "waste_findings",
            columns: "id, resource_id, scan_id, kind, title, reason, monthly_saving, status, details, created_at, "
                + "updated_at, resolved_at"),
        ExportSection(
            name: "analyses", table: "analyses",
            columns: "id, subject_kind, subject_id, status, question, summary, result, model, error_code, created_at, "
                + "finished_at"),
        ExportSection(
            name: "shells", table: "shells",
            columns: "id, cloud_account_id, name, status, region, created_at, started_at, stopped_at, last_active_at"),
        ExportSection(
            name: "notifications", table: "notifications",
            columns: "id, kind, subject_id, payload, status, attempts, created_at, sent_at"),
        ExportSection(
            name: "requestLog", table: "request_log",
            columns: "id, occurred_at, request_id, function_name, method, path, status, host(ip) as ip, user_agent, "
                + "headers, duration_ms"),
    ]

    /// The account itself.
    static func account(_ account: UUID) -> PostgresQuery {
        """
        select row_to_json(r)::text from (
            select id, email, name, status, created_at, updated_at from kloudhub.accounts where id = \(account)) r
        """
    }
}
