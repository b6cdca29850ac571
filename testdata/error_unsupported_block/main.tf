resource "fake_bucket" "data" {
  name = "data"
  versoning {
    enabled = true
  }
}
