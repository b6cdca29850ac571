resource "fake_bucket" "a" {
  name = "a"
}
resource "fake_bucket" "b" {
  count = length(fake_bucket.a.id)
  name  = "b"
}
