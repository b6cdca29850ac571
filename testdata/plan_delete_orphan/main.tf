resource "fake_bucket" "kept" {
  name = "kept"
}
