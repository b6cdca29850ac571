resource "fake_bucket" "a" {
  name = "a"
}
resource "fake_bucket" "b" {
  name = "b-${fake_bucket.a.id}"
}
resource "fake_bucket" "c" {
  name = "c"
}
