variable "batch_size" {
  type    = number
  default = 8

  validation {
    condition     = local.limit > 0
    error_message = "refers to a local"
  }

  validation {
    condition     = var.bach_size > 0
    error_message = "typo in ${aws_s3_bucket.b.id}"
  }
}
