resource "fake_bucket" "data" {
  name = "data"
}
output "arn" {
  value = fake_bucket.dat.arn
}
