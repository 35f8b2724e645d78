# KloudHub: the two commands of the README (`make up`, `make test`) and the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
FUNCTIONS := $(sort $(patsubst functions/%/function.json,%,$(wildcard functions/*/function.json)))
# Function binaries checked and measured: every function, plus the test functions built on
# the runtime alone (runtime-probe) and on KloudCore (kloudcore-probe).
FUNCTION_PRODUCTS := $(FUNCTIONS) runtime-probe kloudcore-probe
RELEASE_FLAGS := -c release --static-swift-stdlib
# The end-to-end suites (every function behind emulators, the Python MCP SDK, headless
# Chromium) run after the rest, so that on two cores they do not starve the process tests.
END_TO_END := FunctionTests|MCPTests|ScanEndToEndTests
# The infra/ suites (terraform against moto, the packages in empty roots) load both cores for
# minutes: they run last, on their own, so they slow no timing-sensitive test.
INFRA := InfraTests
TEST_ENV = KLOUDHUB_BIN="$$($(SWIFT) build --show-bin-path)" KLOUDHUB_PYTHON="$(CURDIR)/.venv/bin/python" \
  KLOUDHUB_PACKAGE_DIR="$(CURDIR)/$(PACKAGE_DIR)" KLOUDHUB_TERRAFORM_PLUGIN_DIR="$$(scripts/terraform-mirror.sh)"
# make package: each function as dist/NAME.zip for provided.al2023, and the Terraform layer.
PACKAGE_DIR := dist
# PEM files of more certificate authorities for the packages (Supabase's root, say).
CA_CERTS ?=
FORMATTED := Package.swift Sources Tests Benchmarks $(wildcard functions)

.PHONY: help bootstrap build up test lint release check-binaries package bench clean

help:
	@echo "make up     run KloudHub locally (emulator on http://127.0.0.1:3000)"
	@echo "make test   run every check and test"
	@echo "make package  zip every function for Lambda (dist/), and the Terraform layer"
	@echo "make bench  print the benchmark table"

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build

up: build
	KLOUDHUB_TERRAFORM_PLUGIN_DIR="$$(scripts/terraform-mirror.sh)" \
	  $(SWIFT) run kloudhub-local up --bin "$$($(SWIFT) build --show-bin-path)"

lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

release:
	@for product in $(FUNCTION_PRODUCTS); do $(SWIFT) build $(RELEASE_FLAGS) --product $$product || exit 1; done

# Function binaries must not link full Foundation; the check must also catch one that does.
check-binaries: release
	@bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"; \
	  scripts/check-function-binaries.sh $(addprefix "$$bin"/,$(FUNCTION_PRODUCTS))
	@if scripts/check-function-binaries.sh "$$($(SWIFT) build --show-bin-path)/kloudhub-local" >/dev/null; then \
	  echo "check-function-binaries.sh missed full Foundation in kloudhub-local"; exit 1; fi

# Each function's release binary with its own loader and libraries, started by a static
# bootstrap (scripts/package-function.sh): it runs on provided.al2023's older glibc.
package: release $(PACKAGE_DIR)/terraform-layer.zip
	@mkdir -p .build/package
	@gcc -static -Os -s -o .build/package/bootstrap scripts/package/bootstrap.c
	@bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"; \
	  for function in $(FUNCTIONS); do \
	    scripts/package-function.sh $$function "$$bin/$$function" .build/package/bootstrap $(PACKAGE_DIR) $(CA_CERTS) || exit 1; \
	  done
	@for zip in $(addprefix $(PACKAGE_DIR)/,$(addsuffix .zip,$(FUNCTIONS)) terraform-layer.zip); do \
	  printf '%-32s %6.1f MB zipped %7.1f MB unzipped\n' "$$zip" "$$(stat -c %s $$zip | awk '{print $$1/1e6}')" \
	    "$$(unzip -Zt $$zip | awk '{print $$3/1e6}')"; done

$(PACKAGE_DIR)/terraform-layer.zip: scripts/package-terraform-layer.sh scripts/terraform-mirror.sh
	scripts/package-terraform-layer.sh $(PACKAGE_DIR)

test: bootstrap lint
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory check-binaries
	$(MAKE) --no-print-directory package
	$(TEST_ENV) $(SWIFT) test --skip-build --skip '$(END_TO_END)|$(INFRA)'
	$(TEST_ENV) $(SWIFT) test --skip-build --filter '$(END_TO_END)'
	$(TEST_ENV) $(SWIFT) test --skip-build --filter '$(INFRA)'

bench: bootstrap release
	$(SWIFT) build $(RELEASE_FLAGS) --product runtime-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product postgres-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product oauth-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product mcp-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product scan-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product retention-bench
	$(SWIFT) build $(RELEASE_FLAGS) --product deploy-bench
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/runtime-bench" \
	  --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)" $(addprefix --function ,$(FUNCTION_PRODUCTS))
	KLOUDHUB_MIGRATIONS_DIR="$(CURDIR)/migrations" "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/postgres-bench"
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/oauth-bench" --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/mcp-bench" --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/scan-bench" --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/retention-bench" --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"
	KLOUDHUB_TERRAFORM_PLUGIN_DIR="$$(scripts/terraform-mirror.sh)" \
	  "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/deploy-bench" --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

clean:
	rm -rf .build .local $(PACKAGE_DIR)
