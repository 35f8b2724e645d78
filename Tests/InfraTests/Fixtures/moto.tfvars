# The Terraform tests' installation: Supabase mode (DESIGN.md: Supabase in production), with
# placeholder identities; deletions are immediate so that destroy leaves nothing.
environment  = "citest"
ses_identity = "kloudhub.example"
clerk = {
  issuer             = "https://clerk.kloudhub.example"
  jwks_url           = "https://clerk.kloudhub.example/.well-known/jwks.json"
  authorized_parties = ["https://app.kloudhub.example"]
  sign_in_url        = "https://accounts.kloudhub.example/sign-in"
}
clerk_webhook_secret = "whsec_dGVzdC1vbmx5"
supabase_database_urls = {
  api         = "postgresql://kloudhub_citest_api:pw@db.kloudhub.example:6543/postgres?sslmode=verify-full"
  worker      = "postgresql://kloudhub_citest_worker:pw@db.kloudhub.example:6543/postgres?sslmode=verify-full"
  maintenance = "postgresql://kloudhub_citest_maintenance:pw@db.kloudhub.example:6543/postgres?sslmode=verify-full"
  owner       = "postgresql://kloudhub_citest_owner:pw@db.kloudhub.example:5432/postgres?sslmode=verify-full"
}
secret_recovery_window_days = 0
kms_deletion_window_days    = 7
