variable "enabled" {
  type    = bool
  default = true
}

resource "aws_s3_bucket" "b" {
  bucket = "data"
}

locals {
  picked        = var.enabled ? "on" : "off"
  from_unknown  = aws_s3_bucket.b.arn == "" ? "empty" : "set"
  known_branch  = var.enabled ? "static" : aws_s3_bucket.b.arn
  unknown_pick  = !var.enabled ? "static" : aws_s3_bucket.b.arn
  list          = [aws_s3_bucket.b.id, "known"]
  length        = length([aws_s3_bucket.b.id, "known"])
  template      = "arn is ${aws_s3_bucket.b.arn}"
  short_circuit = false && aws_s3_bucket.b.versioning
}
