import FoundationEssentials

extension RetentionSweep {
    /// Deletes the dynamically registered clients unused for ``Limits/unusedClient`` (never
    /// used: registered that long ago) that no live token and no unexpired code names, a batch
    /// per transaction; false if the deadline stopped it first. Their revoked and expired tokens
    /// and expired codes go with them (the foreign keys cascade). Clients known by their metadata
    /// document are not registrations and stay. ``countDue(at:)`` counts the same rows.
    ///
    /// What is live is judged by the statement's snapshot: a code issued to a client at the very
    /// moment its unused days run out may go with it, and the person connects again.
    func deleteUnusedClients(at time: Date, deadline: WorkDeadline, into total: inout Int) throws -> Bool {
        let cutoff = time.addingTimeInterval(-Limits.unusedClient)
        return try drain(
            """
            delete from kloudhub.oauth_clients where client_id in (
                select c.client_id from kloudhub.oauth_clients c
                where c.registration_kind = 'dynamic' and coalesce(c.last_used_at, c.created_at) < \(cutoff)
                  and not exists (select from kloudhub.api_keys k
                                  where k.client_id = c.client_id and k.revoked_at is null and k.expires_at > \(time))
                  and not exists (select from kloudhub.oauth_codes o
                                  where o.client_id = c.client_id and o.expires_at > \(time))
                limit \(batchSize))
            """, into: &total, deadline: deadline)
    }
}
