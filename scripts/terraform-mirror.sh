#!/usr/bin/env bash
# Prints the folder that holds the Terraform providers as a filesystem mirror (the folder with
# registry.terraform.io in it), or explains what is missing and fails. Nothing is downloaded:
# the machine kind ships terraform and the AWS provider.
# Looks at KLOUDHUB_TERRAFORM_MIRROR first, then the places such a mirror is usually kept.
set -euo pipefail

candidates=(
  "${KLOUDHUB_TERRAFORM_MIRROR:-}"
  /opt/tf-plugins
  /usr/share/terraform/plugins
  /usr/local/share/terraform/plugins
  "${HOME:-/root}/.terraform.d/plugins"
  "${HOME:-/root}/.local/share/terraform/plugins"
)
for folder in "${candidates[@]}"; do
  [ -n "$folder" ] || continue
  if compgen -G "$folder/registry.terraform.io/hashicorp/aws/*/linux_amd64" >/dev/null; then
    echo "$folder"
    exit 0
  fi
done
echo "terraform-mirror: no Terraform provider mirror with hashicorp/aws found (looked in: ${candidates[*]})." >&2
echo "terraform-mirror: set KLOUDHUB_TERRAFORM_MIRROR to the folder that holds registry.terraform.io." >&2
exit 1
