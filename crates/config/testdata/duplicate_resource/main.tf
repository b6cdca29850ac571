resource "aws_s3_bucket" "data" {
  bucket = "one"
}

resource "aws_s3_bucket" "data" {
  bucket = "two"
}
