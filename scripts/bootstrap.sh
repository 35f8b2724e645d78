#!/usr/bin/env bash
# Installs what KloudHub needs on a fresh machine, and nothing that is already there:
# Debian packages (libpq, libcurl, zlib, PostgreSQL, zip, Chromium and its driver) and a Python virtual
# environment with the local AWS (moto) and the test clients (boto3, the MCP SDK, Selenium);
# another with checkov; and it checks that terraform and its provider mirror are there.
# Safe to run again; fast when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium and chromium-driver: the headless browser the MCP OAuth flow test signs in and
# consents with (Selenium uses /usr/bin/chromedriver, so it never downloads a driver).
# gcc and libc6-dev: the static bootstrap of each Lambda package (make package).
apt_packages=(libpq-dev libcurl4-openssl-dev zlib1g-dev postgresql zip unzip binutils python3-venv chromium chromium-driver
  gcc libc6-dev)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Python clients the tests use as judges (botocore for SigV4, moto as the local AWS, the
# official MCP SDK and Selenium for the OAuth connector flow).
requirements=scripts/requirements.txt
stamp=.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "bootstrap: preparing .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

# checkov judges infra/; its pins conflict with moto's, so it has an environment of its own.
checkov_requirements=scripts/requirements-checkov.txt
checkov_stamp=.venv-checkov/.requirements.sha256
checkov_wanted=$(sha256sum "$checkov_requirements" | cut -d' ' -f1)
if [ ! -x .venv-checkov/bin/checkov ] || [ "$(cat "$checkov_stamp" 2>/dev/null)" != "$checkov_wanted" ]; then
  echo "bootstrap: preparing .venv-checkov"
  python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check -r "$checkov_requirements"
  echo "$checkov_wanted" > "$checkov_stamp"
fi

# Terraform and the AWS provider come with this machine kind; nothing downloads them (the tests
# point terraform at the provider mirror). Say clearly when either is missing.
if ! command -v terraform >/dev/null; then
  echo "bootstrap: terraform is not on the PATH; infra/ tests need it (this machine kind ships it)" >&2
  exit 1
fi
if ! scripts/terraform-mirror.sh >/dev/null; then
  echo "bootstrap: the Terraform provider mirror is missing; infra/ tests need it" >&2
  exit 1
fi
