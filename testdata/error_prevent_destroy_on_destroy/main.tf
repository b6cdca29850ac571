resource "fake_bucket" "data" {
  name = "data"
  lifecycle {
    prevent_destroy = true
  }
}
