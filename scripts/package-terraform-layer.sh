#!/usr/bin/env bash
# The Terraform layer of the deploy function: terraform-layer.zip, unzipped by Lambda under /opt:
#   terraform/terraform.zip       this machine's terraform binary, zipped
#   terraform/providers/...       its providers as a packed filesystem mirror (each provider a
#                                 zip, which terraform init unpacks into the working folder)
#   terraform/terraform.rc        a CLI configuration that installs from that mirror only
# The function unzips terraform.zip into /tmp once per instance, then runs
# TF_CLI_CONFIG_FILE=/opt/terraform/terraform.rc terraform init with no registry. Zipped, the
# AWS provider takes 148 MB instead of 675 MB and terraform 24 MB instead of 91 MB: Lambda
# allows 250 MB unzipped for a function and its layers together, and a function package is
# about 45 MB.
# Usage: package-terraform-layer.sh OUTPUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p "$1"
output=$(realpath "$1")
mirror=$(scripts/terraform-mirror.sh)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/terraform/bin"
cp "$(command -v terraform)" "$stage/terraform/bin/terraform"
touch -t 198001010000 "$stage/terraform/bin/terraform"
(cd "$stage/terraform/bin" && zip -q -X -9 ../terraform.zip terraform)
rm -r "$stage/terraform/bin"
# Unpacked layout HOST/NAMESPACE/TYPE/VERSION/TARGET/ -> packed HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip
for target in "$mirror"/*/*/*/*/*/; do
  target=${target%/}
  platform=$(basename "$target") version=$(basename "$(dirname "$target")")
  type_dir=$(dirname "$(dirname "$target")")
  type=$(basename "$type_dir") relative=${type_dir#"$mirror"/}
  mkdir -p "$stage/terraform/providers/$relative"
  (cd "$target" && zip -q -X -6 -r "$stage/terraform/providers/$relative/terraform-provider-${type}_${version}_${platform}.zip" .)
done
cat > "$stage/terraform/terraform.rc" <<'RC'
provider_installation {
  filesystem_mirror {
    path    = "/opt/terraform/providers"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
find "$stage" -exec touch -h -t 198001010000 {} +
rm -f "$output/terraform-layer.zip"
# The zips inside are stored as they are: compressing them again gains nothing.
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
  zip -q -X -9 -n .zip "$output/terraform-layer.zip" -@)
