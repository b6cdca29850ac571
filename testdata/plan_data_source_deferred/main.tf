resource "fake_bucket" "data" {
  name = "data"
}
data "fake_region" "current" {
  filter = fake_bucket.data.arn
}
