# A weak trail: not logging, write events only, no encryption, no validation; its bucket is
# named by a prefix (so its name is known only once applied), with versioning suspended and
# Block Public Access off.

resource "aws_s3_bucket" "weak" {
  bucket_prefix = "weak-trail-logs-"
}

resource "aws_s3_bucket_versioning" "weak" {
  bucket = aws_s3_bucket.weak.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "weak" {
  bucket                  = aws_s3_bucket.weak.id
  block_public_acls       = false
  ignore_public_acls      = false
  block_public_policy     = false
  restrict_public_buckets = false
}

/* resource "aws_s3_bucket" "not_declared" { -- a comment, not a declaration } */

resource "aws_s3_bucket_policy" "weak" {
  bucket = aws_s3_bucket.weak.id
  # The policy names the bucket's ARN, known only once the bucket exists.
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Sid": "resource \"aws_s3_bucket\" \"in_a_heredoc\" {", "Effect": "Allow",
                     "Principal": {"Service": "cloudtrail.amazonaws.com"},
                     "Action": "s3:PutObject", "Resource": "${aws_s3_bucket.weak.arn}/*"}]
    }
  EOT
}

resource "aws_cloudtrail" "weak" {
  name                          = "weak-trail"
  s3_bucket_name                = aws_s3_bucket.weak.id
  enable_logging                = false
  include_global_service_events = false

  event_selector {
    read_write_type           = "WriteOnly"
    include_management_events = true
  }
}
