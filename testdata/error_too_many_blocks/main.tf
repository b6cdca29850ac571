resource "fake_bucket" "data" {
  name = "data"
  versioning {
    enabled = true
  }
  versioning {
    enabled = false
  }
}
