resource "fake_bucket" "data" {
  nmae = "data"
}
