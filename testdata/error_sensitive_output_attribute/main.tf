resource "fake_bucket" "data" {
  name   = "data"
  secret = "hunter2"
}

output "secret" {
  value = "${fake_bucket.data.name}: ${fake_bucket.data.secret}"
}
