# The Terraform layer for the functions that run Terraform (deploy): the terraform binary and
# its providers as a filesystem mirror, under /opt/terraform (scripts/package-terraform-layer.sh).
# It is larger than a direct upload allows, so it goes through the artifacts bucket.

resource "aws_s3_object" "layer" {
  bucket      = aws_s3_bucket.this["artifacts"].id
  key         = "layers/terraform.zip"
  source      = "${local.package_dir}/terraform-layer.zip"
  source_hash = filemd5("${local.package_dir}/terraform-layer.zip")
  tags        = local.tags

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = "${local.name_prefix}-terraform"
  description              = "terraform and its providers (a filesystem mirror) under /opt/terraform"
  s3_bucket                = aws_s3_object.layer.bucket
  s3_key                   = aws_s3_object.layer.key
  source_code_hash         = filebase64sha256("${local.package_dir}/terraform-layer.zip")
  compatible_runtimes      = ["provided.al2023"]
  compatible_architectures = ["x86_64"]
}
