-- Waste findings page on their saving as resources page on their cost (0014): the saving as a
-- bigint of ten-thousandths, whose comparisons are leakproof, so that under row-level security
-- the cursor and the minimum bound the (account, scan, saving, id) index scan instead of
-- filtering every finding before the page.

set local search_path = kloudhub, pg_catalog;

alter table waste_findings add column monthly_saving_units bigint
    generated always as ((monthly_saving * 10000)::bigint) stored;
drop index waste_findings_scan_saving_idx;
create index waste_findings_scan_saving_idx
    on waste_findings (account_id, scan_id, monthly_saving_units desc, id desc);
