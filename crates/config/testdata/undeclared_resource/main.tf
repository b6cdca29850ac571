resource "aws_s3_bucket" "training_data" {
  bucket = "data"
}

output "arn" {
  value = aws_s3_bucket.training_dat.arn
}

output "region" {
  value = data.aws_region.current.name
}
