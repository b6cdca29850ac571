resource "fake_bucket" "data" {
  name = "a"
}
resource "fake_bucket" "data" {
  name = "b"
}
