resource "fake_bucket" "data" {
  name = "data-v2"
  lifecycle {
    prevent_destroy = true
  }
}
