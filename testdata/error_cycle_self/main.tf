resource "fake_bucket" "a" {
  name = fake_bucket.a.arn
}
