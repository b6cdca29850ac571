resource "fake_bucket" "a" {
  name = "a"
}
resource "fake_bucket" "b" {
  name       = "b"
  depends_on = [fake_bucket.a]
}
