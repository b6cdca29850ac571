locals {
  bucket_name = "lathe-data"
}

output "bucket" {
  value = local.bucket_nam
}
