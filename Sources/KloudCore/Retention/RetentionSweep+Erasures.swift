import FoundationEssentials
import Logging

extension RetentionSweep {
    /// Erasures the sweep takes on in one run, at most.
    static let erasuresPerRun = 100

    /// What one pass over the due erasures came to.
    struct ErasurePass {
        /// False when the deadline left an erasure unfinished.
        var isFinished = true
        /// The first erasure's failure, when any failed.
        var firstFailure: (any Error)?
    }

    /// PP-delete: starts the erasure of every account marked deleting whose hand-off to
    /// account-delete never arrived, and resumes every erasure that stalled or is close to its
    /// 30-day limit. One erasure failing (S3 unreachable, say) does not stop the others: it is
    /// logged and counted, and the pass goes on to the next.
    func finishErasures(
        at time: Date, deadline: WorkDeadline, logger: Logger, into counts: inout [String: Int]
    ) async throws -> ErasurePass {
        let stalledBefore = time.addingTimeInterval(-Limits.stalledErasure)
        let orphaned = try database.query(
            """
            select a.id from kloudhub.accounts a
            where a.status = 'deleting' and a.deletion_requested_at <= \(stalledBefore)
              and not exists (select from kloudhub.deletion_records r where r.account_id = a.id and r.status <> 'completed')
            order by a.deletion_requested_at limit \(Self.erasuresPerRun)
            """
        ).decode(UUID.self)
        let stalled = try database.query(
            """
            select account_id from kloudhub.deletion_records
            where status <> 'completed' and (updated_at <= \(stalledBefore) or erase_by <= \(time.addingTimeInterval(86_400)))
            order by erase_by limit \(Self.erasuresPerRun)
            """
        ).decode(UUID.self)
        for count in ["erasures_started", "erasures_completed", "erasures_unfinished", "erasures_failed"] {
            counts[count] = 0
        }
        var pass = ErasurePass()
        for accountID in orphaned + stalled.filter({ !orphaned.contains($0) }) {
            guard deadline.hasTimeLeft else {
                pass.isFinished = false
                return pass
            }
            if orphaned.contains(accountID) { counts["erasures_started", default: 0] += 1 }
            do {
                switch try await erasure.resume(accountID: accountID, reason: .retentionSweep, deadline: deadline) {
                case .completed, .nothingToErase: counts["erasures_completed", default: 0] += 1
                case .unfinished:
                    counts["erasures_unfinished", default: 0] += 1
                    pass.isFinished = false
                }
            } catch {
                logger.error(
                    "erasure failed",
                    metadata: [
                        "account": "\(accountID.uuidString.lowercased())", "error": "\(String(reflecting: error))",
                    ])
                counts["erasures_failed", default: 0] += 1
                pass.firstFailure = pass.firstFailure ?? error
            }
        }
        return pass
    }

    /// What each rule would remove now, for a dry run; changes nothing.
    func countDue(at time: Date) throws -> [String: Int] {
        let keyCutoff = time.addingTimeInterval(-Limits.keyRetention)
        let logCutoff = time.addingTimeInterval(-Limits.logRetention)
        let stalledBefore = time.addingTimeInterval(-Limits.stalledErasure)
        let row = try database.query(
            """
            select
                (select count(*) from kloudhub.oauth_codes where expires_at <= \(time)),
                (select count(*) from kloudhub.api_keys
                 where revoked_at <= \(keyCutoff) or (revoked_at is null and expires_at <= \(keyCutoff))),
                (select count(*) from generate_series(0, \(Limits.partitionsAhead - 1)) as d
                 where to_regclass('kloudhub.request_log_p'
                       || to_char((\(time) at time zone 'UTC')::date - 1 + d::integer, 'YYYYMMDD')) is null),
                (select count(*) from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
                 where i.inhparent = 'kloudhub.request_log'::regclass and c.relname ~ '^request_log_p[0-9]{8}$'
                   and to_date(substr(c.relname, 14, 8), 'YYYYMMDD') + 1 <= (\(logCutoff) at time zone 'UTC')::date),
                (select count(*) from kloudhub.request_log where occurred_at < \(logCutoff)),
                (select count(*) from kloudhub.accounts a
                 where a.status = 'deleting' and a.deletion_requested_at <= \(stalledBefore)
                   and not exists (select from kloudhub.deletion_records r
                                   where r.account_id = a.id and r.status <> 'completed')),
                (select count(*) from kloudhub.deletion_records
                 where status <> 'completed'
                   and (updated_at <= \(stalledBefore) or erase_by <= \(time.addingTimeInterval(86_400)))),
                (select count(*) from kloudhub.registration_budgets
                 where window_start <= \(time.addingTimeInterval(-RegistrationBudget.window))),
                (select count(*) from kloudhub.oauth_clients c
                 where c.registration_kind = 'dynamic'
                   and coalesce(c.last_used_at, c.created_at) < \(time.addingTimeInterval(-Limits.unusedClient))
                   and not exists (select from kloudhub.api_keys k
                                   where k.client_id = c.client_id and k.revoked_at is null and k.expires_at > \(time))
                   and not exists (select from kloudhub.oauth_codes o
                                   where o.client_id = c.client_id and o.expires_at > \(time))),
                (select count(*) from kloudhub.erased_clerk_users
                 where erased_at <= \(time.addingTimeInterval(-Limits.erasedClerkUser)))
            """)
        guard let row = row.first else { return [:] }
        let (codes, keys, created, dropped, logRows, started, erasures, budgets, clients, erased) = try row.decode(
            (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int).self)
        return [
            "oauth_codes_deleted": codes, "api_keys_purged": keys, "request_log_partitions_created": created,
            "request_log_partitions_dropped": dropped, "request_log_rows_deleted": logRows, "erasures_started": started,
            "erasures_completed": started + erasures, "registration_budgets_deleted": budgets,
            "oauth_clients_deleted": clients, "erased_clerk_users_deleted": erased,
        ]
    }
}
