resource "fake_bucket" "data" {
  name = "data-v2"
  lifecycle {
    create_before_destroy = true
  }
}
