resource "aws_s3_bucket" {
  bucket = "x"
}

variable "1bad" {}

output "a" "b" {
  value = 1
}

locals {
  valid = 1
}

locals {
  valid = 2
}

stray = "top level"
