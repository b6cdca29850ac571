resource "fake_bucket" "data" {
  name = "data"
}
