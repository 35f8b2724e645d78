terraform {
  # 1.11: ephemeral resources and write-only arguments keep generated database passwords out
  # of the plan and the state.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.region
}
