import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The scan's rows: its state, each unit's results written with the unit marked done in one
/// transaction, and the totals when it finishes.
struct ScanStore: Sendable {
    /// What a run needs to know about its scan.
    struct Job: Sendable {
        var status: String
        var regions: [String]
        var cloudAccountID: UUID
        var doneUnits: Set<String>
    }

    /// A problem that did not stop the scan: a region or service that failed.
    struct Warning: Encodable, Sendable {
        var unit: String
        var code: String
        var message: String
    }

    let database: PostgresClient

    func job(_ scanID: UUID, account: UUID) throws -> Job? {
        try database.transaction(scopedTo: account) { transaction in
            guard
                let row = try transaction.query(
                    """
                    select status, regions, cloud_account_id,
                           array(select jsonb_array_elements_text(coalesce(progress -> 'done', '[]')))
                    from kloudhub.scans where id = \(scanID)
                    """
                ).first
            else { return nil }
            let (status, regions, cloudAccountID, done) = try row.decode((String, [String], UUID, [String]).self)
            return Job(status: status, regions: regions, cloudAccountID: cloudAccountID, doneUnits: Set(done))
        }
    }

    /// Queued → running, with the regions to scan and the number of units.
    func start(_ scanID: UUID, account: UUID, regions: [String], units: Int) throws {
        _ = try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.scans set status = 'running', started_at = coalesce(started_at, now()), regions = \(regions),
                                 progress = jsonb_set(progress, '{units}', to_jsonb(\(units)))
                where id = \(scanID) and status in ('queued', 'running')
                """)
        }
    }

    /// Whether the scan is still running (a disconnect or a deletion cancels it).
    func isRunning(_ scanID: UUID, account: UUID) throws -> Bool {
        try database.transaction(scopedTo: account) { transaction in
            try transaction.query("select status = 'running' from kloudhub.scans where id = \(scanID)").first?.decode(
                Bool.self)
                ?? false
        }
    }

    /// Writes a unit's resources and findings, or its warning, and marks it done; a unit
    /// already done is left as it is.
    func record(
        _ unit: ScanUnit, result: UnitResult, warning: Warning?, scanID: UUID, cloudAccountID: UUID, account: UUID
    ) throws {
        _ = try database.transaction(scopedTo: account) { transaction in
            let claimed = try transaction.execute(
                """
                update kloudhub.scans
                set progress = jsonb_set(progress, '{done}', coalesce(progress -> 'done', '[]') || to_jsonb(\(unit.description))),
                    warnings = warnings || coalesce(\(try warning.map { try json([$0]) }), '[]')
                where id = \(scanID) and status = 'running'
                  and not coalesce(progress -> 'done', '[]') ? \(unit.description)
                """)
            guard claimed == 1 else { return }
            let regionUnits = ScanUnit.all(regions: [unit.region]).filter { $0.region == unit.region }.map(
                \.description)
            try transaction.execute(
                """
                update kloudhub.scans
                set progress = jsonb_set(progress, '{regions_done}',
                                         coalesce(progress -> 'regions_done', '[]') || to_jsonb(\(unit.region)))
                where id = \(scanID) and progress -> 'done' ?& \(regionUnits)
                  and not coalesce(progress -> 'regions_done', '[]') ? \(unit.region)
                """)
            for resource in result.resources {
                try transaction.execute(
                    """
                    insert into kloudhub.resources (account_id, cloud_account_id, scan_id, arn, resource_type, name, region,
                                           monthly_cost, unpriced_reason, tags, details)
                    values (\(account), \(cloudAccountID), \(scanID), \(resource.arn), \(resource.type),
                            \(String(resource.name.prefix(500))), \(resource.region), \(resource.monthlyCost),
                            \(resource.unpricedReason), \(try json(resource.tags)),
                            \(try json(resource.details)))
                    on conflict (account_id, scan_id, arn) do nothing
                    """)
            }
            for finding in result.findings {
                try transaction.execute(
                    """
                    insert into kloudhub.waste_findings (account_id, resource_id, scan_id, kind, title, reason, monthly_saving,
                                                details)
                    select \(account), id, \(scanID), \(finding.rule), \(finding.title), \(finding.evidence),
                           \(finding.monthlySaving), jsonb_build_object('action', \(finding.action)::text)
                    from kloudhub.resources where scan_id = \(scanID) and arn = \(finding.arn)
                    on conflict (account_id, resource_id, kind) do nothing
                    """)
            }
        }
    }

    private func json(_ value: some Encodable) throws -> PostgresJSON {
        PostgresJSON(text: String(decoding: try JSONStreamEncoder().encode(value), as: UTF8.self))
    }

    /// Running → succeeded with the totals; the scan becomes what lists show.
    func finish(_ scanID: UUID, account: UUID) throws {
        _ = try database.transaction(scopedTo: account) { transaction in
            let updated = try transaction.execute(
                """
                update kloudhub.scans s
                set status = 'succeeded', finished_at = now(),
                    resource_count = totals.resources, total_monthly_cost = totals.cost,
                    unpriced_count = totals.unpriced, finding_count = findings.count,
                    total_monthly_saving = findings.saving
                from (select count(*)::integer as resources, coalesce(sum(monthly_cost), 0) as cost,
                             count(unpriced_reason)::integer as unpriced
                      from kloudhub.resources where scan_id = \(scanID)) as totals,
                     (select count(*)::integer as count, coalesce(sum(monthly_saving), 0) as saving
                      from kloudhub.waste_findings where scan_id = \(scanID)) as findings
                where s.id = \(scanID) and s.status = 'running'
                """)
            guard updated == 1 else { return }
            try transaction.execute(
                """
                update kloudhub.cloud_accounts set latest_scan_id = \(scanID), updated_at = now()
                where id = (select cloud_account_id from kloudhub.scans where id = \(scanID))
                """)
        }
    }

    /// The scan cannot go on (its credentials are refused, its account is gone).
    func fail(_ scanID: UUID, account: UUID, code: String, status: String = "failed") throws {
        _ = try database.transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.scans set status = \(status), error_code = \(code), finished_at = now(),
                                 started_at = coalesce(started_at, now())
                where id = \(scanID) and status in ('queued', 'running')
                """)
        }
    }
}
