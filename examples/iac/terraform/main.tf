# A hardened CloudTrail set-up in Terraform, for trailwarden's examples and tests.
# The plan of this configuration is plan.json (`terraform show -json`); weak.tf holds a
# weak trail beside it, so that one scan shows passes and failures.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

provider "aws" {
  region = var.region
}

resource "aws_kms_key" "trail" {
  description         = "Encrypts the trail's log files"
  enable_key_rotation = true
}

# The log bucket, with every split resource, is a local module.
module "log_bucket" {
  source            = "./modules/log-bucket"
  name              = "hardened-trail-logs-example"
  kms_key_arn       = aws_kms_key.trail.arn
  access_log_bucket = aws_s3_bucket.access_logs.id
}

resource "aws_s3_bucket" "access_logs" {
  bucket = "hardened-access-logs-example"
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/cloudtrail/hardened-trail"
  retention_in_days = 365
}

resource "aws_iam_role" "trail_logs" {
  name = "hardened-trail-logs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "cloudtrail.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_cloudtrail" "hardened" {
  depends_on = [module.log_bucket]

  name                          = "hardened-trail"
  s3_bucket_name                = module.log_bucket.bucket_id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = local.trail_key_arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail_logs.arn

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  insight_selector {
    insight_type = "ApiCallRateInsight"
  }

  insight_selector {
    insight_type = "ApiErrorRateInsight"
  }
}

# The trail's key, through a local as reusable trail modules write it (often
# `var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.this[0].arn`). The plan leaves
# locals out; with --terraform-dir trailwarden reads this block to join the trail to its key.
locals {
  trail_key_arn = aws_kms_key.trail.arn
}
